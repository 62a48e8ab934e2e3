"""Reporters: pure functions of a World's state (they draw no random numbers).

``agent_table`` gives one row per agent; ``group_rows`` aggregates the same columns per
strategy and per conduct type (the tidy per-step table) with array operations;
``model_metrics`` gives the network-level figures, including reputation accuracy against
the latent conduct that only the simulation knows.

pandas and scipy are imported inside the functions that use them, so that importing this
module (for ``GROUP_METRICS`` and ``MODEL_REPORTERS``, as experiment validation does) is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

# Per-agent columns that are averaged per group (the names of the tidy table's metrics).
GROUP_METRICS = ("degree", "reach2", "opps_direct", "opps_introduction", "opps_cold",
                 "opps_lead",
                 "opps_total", "reputation", "pooled_reputation", "visibility",
                 "bad_suffered", "spam_received", "bad_hires", "capital_spent",
                 "capital_lost", "intros_made", "intros_bad",
                 "requests_sent", "requests_accepted", "ties_burned", "ties_faded")

# The network-level reporters collected per step (the model table's columns after "step").
MODEL_REPORTERS = ("ties", "mean_degree", "clustering", "largest_component", "components",
                   "path_length",
                   "reputation_tau", "reputation_mae", "bad_found_share", "good_flagged_share",
                   "mean_time_to_find",
                   "evidence_rows")


def perceived_reputation(world) -> tuple[np.ndarray, np.ndarray]:
    """(visibility int64[n], mean perceived reputation float64[n], NaN if nobody knows)."""
    visibility, mean, _ = world.reputation_summary()
    return visibility, mean


def agent_columns(world, with_reach: bool = True) -> dict[str, np.ndarray]:
    """The per-agent columns of :func:`agent_table` as arrays of length n (no pandas):
    ``strategy`` and ``conduct_type`` as integer codes (int16) into ``world.strategy_names``
    and ``world.conduct_names``; every GROUP_METRICS column; identity and conduct."""
    csr = world.ties.csr()
    visibility, reputation, pooled = world.reputation_summary()
    table = {
        "agent": np.arange(world.n),
        "strategy": world.strategy_id,
        "conduct_type": world.conduct_type,
        "bad_actor": world.is_bad,
        "conduct": world.conduct,
        "seeking": world.seeking,
        "degree": csr.degree,
        "reach2": (world.reach_and_clustering()[0] if with_reach
                   else np.full(world.n, np.nan)),
        "reputation": reputation,
        "pooled_reputation": pooled,
        "visibility": visibility,
    }
    for name, values in world.counters.items():
        table[name] = values
    table["opps_total"] = (world.counters["opps_direct"] + world.counters["opps_introduction"]
                           + world.counters["opps_cold"] + world.counters["opps_lead"])
    table["detected_step"] = world.detected_step
    return table


def agent_table(world, with_reach: bool = True) -> pd.DataFrame:
    """One row per agent: identity, latent conduct, network position and counters."""
    import pandas as pd

    table = agent_columns(world, with_reach)
    table["strategy"] = pd.Categorical.from_codes(world.strategy_id, world.strategy_names)
    table["conduct_type"] = pd.Categorical.from_codes(world.conduct_type, world.conduct_names)
    return pd.DataFrame(table)


def group_rows(world) -> list[dict]:
    """Per strategy and per conduct type: agent count and the mean of every GROUP_METRICS
    column (NaN values, e.g. the reputation of agents nobody holds evidence about, left
    out; NaN if a group has none). One dict per group present, groups in code order,
    strategies first; the sums in one kernel call per grouping (group_sums)."""
    from simnet.kernels import group_sums

    columns = agent_columns(world)
    values = np.empty((len(GROUP_METRICS), world.n))
    for i, name in enumerate(GROUP_METRICS):
        values[i] = columns[name]
    rows = []
    for group_by, codes, names in (("strategy", world.strategy_id, world.strategy_names),
                                   ("conduct_type", world.conduct_type, world.conduct_names)):
        k = len(names)
        sums, known, counts = group_sums(values, np.asarray(codes, dtype=np.int64), k)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(known > 0, sums / known, np.nan)
        for g in np.flatnonzero(counts):
            row = {"step": world.step, "group_by": group_by, "group": str(names[g]),
                   "n_agents": int(counts[g])}
            row.update(zip(GROUP_METRICS, means[:, g].tolist(), strict=True))
            rows.append(row)
    return rows


def reputation_accuracy(world, reputation: np.ndarray | None = None) -> tuple[float, float]:
    """(Kendall's tau, mean absolute error) of mean perceived reputation against latent
    conduct, over agents somebody holds evidence about; NaN when fewer than two."""
    if reputation is None:
        _, reputation = perceived_reputation(world)
    known = np.isfinite(reputation)
    if known.sum() < 2:
        return float("nan"), float("nan")
    from simnet.kernels import kendall_tau_b

    tau = kendall_tau_b(np.ascontiguousarray(reputation[known], dtype=np.float64),
                        np.ascontiguousarray(world.conduct[known], dtype=np.float64))
    mae = float(np.mean(np.abs(reputation[known] - world.conduct[known])))
    return float(tau), mae


def model_metrics(world) -> dict[str, float]:
    """Network-level figures for one step: ties, degree, clustering, components,
    reputation accuracy, bad actors found out, and the step's event counts."""
    csr = world.ties.csr()
    tau, mae = reputation_accuracy(world)
    n_bad = int(world.is_bad.sum())
    found = world.detected_step >= 0
    n_components, components = component_summary(world)
    out = {
        "step": world.step,
        "ties": float(len(world.ties)),
        "mean_degree": float(csr.degree.mean()),
        "clustering": float(world.reach_and_clustering()[1].mean()),
        "largest_component": components,
        "components": float(n_components),
        "path_length": mean_path_length(world),
        "reputation_tau": tau,
        "reputation_mae": mae,
        "evidence_rows": float(len(world.evidence)),
        "bad_found_share": float(found[world.is_bad].mean()) if n_bad else float("nan"),
        "good_flagged_share": (float(world.contacts_think_badly()[~world.is_bad].mean())
                               if n_bad < world.n else float("nan")),
        "mean_time_to_find": (float(world.detected_step[world.is_bad & found].mean())
                              if (world.is_bad & found).any() else float("nan")),
    }
    out.update(world.last_step_stats)
    return out


def component_summary(world) -> tuple[int, float]:
    """(number of connected components, share of agents in the largest one); one
    breadth-first search per component in a Numba kernel."""
    from simnet.kernels import component_summary as components

    csr = world.ties.csr()
    n_components, largest = components(csr.indptr, csr.indices)
    return int(n_components), int(largest) / world.n


def mean_path_length(world, n_sources: int = 16) -> float:
    """Mean shortest-path length (hops) from ``n_sources`` evenly spaced agents to the
    agents they reach (deterministic sources: no random draws); one breadth-first search
    per source in a Numba kernel."""
    from simnet.kernels import hop_distance_totals

    csr = world.ties.csr()
    sources = np.unique(np.linspace(0, world.n - 1, min(n_sources, world.n)).astype(np.int64))
    total, reached = hop_distance_totals(csr.indptr, csr.indices, sources)
    count = int(reached.sum())
    # exact: integer sums, so the same float as the mean of scipy's distance matrix
    return float(int(total.sum()) / count) if count else float("nan")


def opportunities_table(world) -> pd.DataFrame:
    """Every won opportunity with its provenance (channel, path strength, mutual ties)."""
    import pandas as pd

    from simnet.world import CHANNELS

    columns = ("step", "holder", "winner", "channel", "introducer", "contact", "path_strength",
               "holder_tie", "mutual", "good")
    if not world.provenance:
        return pd.DataFrame({c: [] for c in columns})
    table = pd.DataFrame({c: np.concatenate([p[c] for p in world.provenance])
                          for c in columns})
    table["channel"] = pd.Categorical.from_codes(table["channel"], list(CHANNELS))
    table["winner_strategy"] = np.asarray(world.strategy_names)[
        world.strategy_id[table["winner"].to_numpy()]]
    return table
