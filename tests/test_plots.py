"""Figures: every kind drawn from small synthetic results tables with the columns of
simnet.results; the tests check what was drawn (series, labels, CI artists, files)."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd

from simnet.metrics import GROUP_METRICS

MODEL_METRICS = ("ties", "mean_degree", "clustering", "largest_component", "reputation_tau",
                 "reputation_mae", "bad_found_share", "mean_time_to_find")
CONDUCT = ("professional", "careless", "spammer")


def make_runs(arms=("base",), reps=3, params: dict | None = None) -> pd.DataFrame:
    """One row per run: run_id, arm, replication, seed (shared by arms: CRN), parameters."""
    params = params or {}
    rows = []
    combos = list(itertools.product(*params.values())) or [()]
    for arm in arms:
        for combo in combos:
            for rep in range(reps):
                rows.append({"run_id": len(rows), "arm": arm, "replication": rep,
                             "seed": 1000 + rep, **dict(zip(params, combo, strict=True))})
    return pd.DataFrame(rows)


def make_groups(runs: pd.DataFrame, strategies=("open", "selective"), steps=4,
                seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for run in runs.to_dict("records"):
        base = 1.0 + 0.5 * sum(v for k, v in run.items() if k not in
                               ("run_id", "arm", "replication", "seed"))
        for step in range(steps + 1):
            for group_by, names in (("strategy", strategies), ("conduct_type", CONDUCT)):
                for i, name in enumerate(names):
                    row = {**run, "step": step, "group_by": group_by, "group": name,
                           "n_agents": 10}
                    for m in GROUP_METRICS:
                        row[m] = step * (base + i + rng.normal(0, 0.2))
                    row["reputation"] = float(np.clip(0.6 + 0.1 * i + rng.normal(0, .05), 0, 1))
                    rows.append(row)
    return pd.DataFrame(rows)


def make_model(runs: pd.DataFrame, steps=4, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for run in runs.to_dict("records"):
        for step in range(steps + 1):
            rows.append({**run, "step": step,
                         **{m: step * 0.1 + rng.normal(0, 0.02) for m in MODEL_METRICS}})
    return pd.DataFrame(rows)


def make_agents(runs: pd.DataFrame, n=24, strategies=("open", "selective"), seed=2
                ) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for run in runs.to_dict("records"):
        bad = np.arange(n) % 6 == 5
        rep = np.clip(rng.normal(0.7, 0.15, n) - 0.3 * bad, 0, 1)
        rep[::7] = np.nan
        parts.append(pd.DataFrame({
            **{k: [v] * n for k, v in run.items()},
            "agent": np.arange(n),
            "strategy": [strategies[i % len(strategies)] for i in range(n)],
            "conduct_type": np.where(bad, "careless", "professional"),
            "bad_actor": bad, "conduct": np.where(bad, 0.3, 0.9),
            "degree": rng.integers(1, 6, n), "reach2": rng.integers(2, 20, n),
            "reputation": rep, "visibility": rng.integers(0, 10, n),
            "opps_total": rng.integers(0, 4, n)}))
    return pd.concat(parts, ignore_index=True)


def make_ties(runs: pd.DataFrame, n=24, seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for run in runs.to_dict("records"):
        u = np.arange(n)
        edges = {(min(a, b), max(a, b)) for a in u for b in ((a + 1) % n, (a + 2) % n)}
        edges |= {tuple(sorted(rng.choice(n, 2, replace=False))) for _ in range(6)}
        edges = np.array(sorted(edges))
        parts.append(pd.DataFrame({**{k: [v] * len(edges) for k, v in run.items()},
                                   "u": edges[:, 0], "v": edges[:, 1],
                                   "strength": rng.uniform(0.05, 1.0, len(edges))}))
    return pd.concat(parts, ignore_index=True)


def make_opportunities(runs: pd.DataFrame, per_run=40, strategies=("open", "selective"),
                       seed=4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for run in runs.to_dict("records"):
        channel = rng.choice(["direct", "introduction", "cold"], per_run, p=[.5, .35, .15])
        strength = np.where(channel == "cold", np.nan, rng.beta(2, 3, per_run))
        parts.append(pd.DataFrame({
            **{k: [v] * per_run for k, v in run.items()},
            "step": rng.integers(1, 5, per_run), "holder": rng.integers(0, 24, per_run),
            "winner": rng.integers(0, 24, per_run), "channel": channel,
            "introducer": np.where(channel == "introduction", rng.integers(0, 24, per_run), -1),
            "path_strength": strength, "holder_tie": strength,
            "mutual": np.where(channel == "cold", 0, rng.integers(0, 14, per_run)),
            "good": rng.random(per_run) < 0.8,
            "winner_strategy": rng.choice(list(strategies), per_run)}))
    return pd.concat(parts, ignore_index=True)


def make_news(runs: pd.DataFrame, steps=5, n=24, seed=5) -> pd.DataFrame:
    """The news trace of simnet.model (aware...); traces stop early in some runs."""
    rng = np.random.default_rng(seed)
    rows = []
    for run in runs.to_dict("records"):
        reached = 1
        for since in range(steps + 1 - run["replication"] % 2):
            reached = min(n, reached + int(rng.integers(0, 5)))
            rows.append({**run, "step": 10 + since, "steps_since": since, "subject": 3,
                         "aware": reached, "aware_share": reached / n,
                         "contacts_aware_share": min(1.0, 2 * reached / n),
                         "in_flight": 2, "heard_weight": 0.5})
    return pd.DataFrame(rows)


def make_results(arms=("base",), reps=3, params=None, steps=4, n=24,
                 strategies=("open", "selective"), name="test_experiment",
                 figures=None) -> SimpleNamespace:
    """A ResultSet look-alike: the tables and a manifest."""
    runs = make_runs(arms, reps, params)
    experiment = {"experiment": {"name": name, "seed": 7, "steps": steps}}
    if figures is not None:
        experiment["plots"] = {"figure": figures}
    return SimpleNamespace(
        groups=make_groups(runs, strategies, steps), model=make_model(runs, steps),
        agents=make_agents(runs, n, strategies), ties=make_ties(runs, n),
        opportunities=make_opportunities(runs, strategies=strategies),
        news=make_news(runs, n=n), manifest={"experiment": experiment})


# =============================================================================== tests
import warnings  # noqa: E402

import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection, PolyCollection  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

from simnet import plots  # noqa: E402
from simnet.plots import stats  # noqa: E402
from simnet.plots.spec import FigureSkipped, PlotError, check_figure_spec  # noqa: E402
from simnet.plots.style import STRATEGY_COLORS, caption_of, label  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def one_arm():
    return make_results(reps=4)


@pytest.fixture(scope="module")
def sweep():
    return make_results(arms=("open_heavy", "selective_heavy"), reps=3,
                        params={"open_share": [0.2, 0.5, 0.8], "bad_share": [0.05, 0.15]})


def flat(text: str) -> str:
    return " ".join(text.split())


def errorbars(ax) -> dict[str, ErrorbarContainer]:
    return {c.get_label(): c for c in ax.containers if isinstance(c, ErrorbarContainer)}


def bands(ax) -> list[str]:
    return [c.get_gid() for c in ax.collections
            if isinstance(c, PolyCollection) and (c.get_gid() or "").startswith("ci:")]


def legend_labels(fig) -> list[str]:
    legends = [*fig.legends, *(lg for sub in fig.subfigs for lg in sub.legends)]
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def errorbar_has_width(container: ErrorbarContainer) -> bool:
    """The CI whiskers are drawn and have a non-zero extent."""
    segments = container.lines[2][0].get_segments()
    return len(segments) > 0 and all(np.ptp(np.asarray(s), axis=0).max() > 0
                                     for s in segments)


# ------------------------------------------------------------------------ statistics
def test_mean_ci_matches_student_t():
    from scipy import stats as st

    values = np.array([1.0, 2.0, 4.0, 5.0])
    mean, lo, hi, n = stats.mean_ci(values)
    half = st.t.ppf(0.975, 3) * values.std(ddof=1) / 2
    assert (mean, n) == (3.0, 4)
    assert lo == pytest.approx(3 - half) and hi == pytest.approx(3 + half)
    mean, lo, hi, n = stats.mean_ci([2.0, np.nan])
    assert mean == 2.0 and n == 1 and np.isnan(lo) and np.isnan(hi)


def test_paired_differences_pair_arms_by_replication():
    table = pd.DataFrame({"run_id": [0, 1, 2, 3], "arm": ["a", "a", "b", "b"],
                          "replication": [0, 1, 0, 1], "group": "open",
                          "x": [1.0, 5.0, 2.0, 9.0]})
    diff = stats.paired_differences(table, "x", "arm", "b", "a")
    assert diff.sort_values("replication")["diff"].tolist() == [1.0, 4.0]
    with pytest.raises(PlotError, match="no arm 'c'"):
        stats.paired_differences(table, "x", "arm", "c", "a")


def test_strategy_colours_fixed_for_presets_and_distinct_for_custom():
    a = plots.strategy_colors(["selective", "zeta", "open", "alpha"])
    b = plots.strategy_colors(["alpha", "open", "zeta", "selective", "spammer"])
    assert a["open"] == STRATEGY_COLORS["open"] == b["open"]
    assert a["alpha"] == b["alpha"] and a["zeta"] == b["zeta"]
    assert len(set(b.values())) == len(b)


def test_figure_spec_validation_names_the_field():
    assert check_figure_spec({"kind": "heatmap", "metric": "opps_total", "x": "a", "y": "b"})
    for spec, message in [({"kind": "pie"}, "kind: 'pie' is not a figure kind"),
                          ({"metric": "x"}, "kind: missing"),
                          ({"kind": "outcomes", "colour": "red"}, "unknown key 'colour'"),
                          ({"kind": "outcomes", "x": 3}, "x = 3: expected str"),
                          ({"kind": "outcomes", "group_by": "arm"}, "group_by = 'arm'"),
                          ({"kind": "differences", "compare": ["open"]}, "compare")]:
        with pytest.raises(PlotError, match=message):
            check_figure_spec(spec)


# ---------------------------------------------------------------------- figure kinds
def test_outcomes_per_strategy_with_ci(one_arm):
    fig = plots.plot_outcomes(one_arm.groups, ["opps_total", "bad_suffered"],
                              experiment="demo")
    axes = fig.axes
    assert len(axes) == 2
    for ax, metric in zip(axes, ["opps_total", "bad_suffered"], strict=True):
        bars = errorbars(ax)
        assert list(bars) == ["open", "selective"]
        assert all(errorbar_has_width(c) for c in bars.values())
        assert bars["open"].lines[0].get_color() == STRATEGY_COLORS["open"]
        assert flat(ax.get_ylabel()) == label(metric)
        assert [t.get_text() for t in ax.get_xticklabels()] == ["open", "selective"]
        assert ax.get_title().endswith("?")
    # the plotted mean is the mean across replications at the last step
    last = one_arm.groups.query("step == 4 and group_by == 'strategy' and group == 'open'")
    y = errorbars(axes[0])["open"].lines[0].get_ydata()[0]
    assert y == pytest.approx(last["opps_total"].mean())
    cap = caption_of(fig)
    assert "demo" in flat(cap) and "4 replications" in flat(cap) and "95% CI" in flat(cap)


def test_outcomes_over_a_swept_parameter_by_arm(sweep):
    fig = plots.plot_outcomes(sweep.groups, "opps_total", x="open_share")
    (ax,) = fig.axes
    bars = errorbars(ax)
    assert sorted(bars) == sorted(f"{s} ({a})" for s in ("open", "selective")
                                  for a in ("open_heavy", "selective_heavy"))
    assert all(len(c.lines[0].get_xdata()) == 3 for c in bars.values())
    assert flat(ax.get_xlabel()) == "share of open networkers"
    assert legend_labels(fig) == ["open", "selective", "open_heavy", "selective_heavy"]
    assert "2 arms × 3 replications" in flat(caption_of(fig))


def test_differences_between_arms_paired_by_replication(sweep):
    fig = plots.plot_differences(sweep.groups, ["opps_total", "bad_suffered"])
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    bars = errorbars(ax)
    assert list(bars) == ["all", "open", "selective"]  # the whole population first
    assert all(errorbar_has_width(c) for c in bars.values())
    assert "selective_heavy − open_heavy" in flat(ax.get_xlabel())
    assert "paired by replication" in flat(caption_of(fig))
    assert [line.get_xdata()[0] for line in ax.lines if line.get_xdata()[0] == 0]  # zero line
    # the point is the mean over replications of the paired differences
    g = stats.at_step(sweep.groups[sweep.groups.group_by == "strategy"])
    g = g[g.group == "open"].groupby(["arm", "replication"])["opps_total"].mean().unstack(0)
    expected = (g["selective_heavy"] - g["open_heavy"]).mean()
    assert bars["open"].lines[0].get_xdata()[0] == pytest.approx(expected)
    # "all": the population mean (groups of equal size here) differenced the same way
    g = stats.at_step(sweep.groups[sweep.groups.group_by == "strategy"])
    g = g.groupby(["arm", "replication", "open_share", "bad_share"])["opps_total"].mean()
    g = g.groupby(["arm", "replication"]).mean().unstack(0)
    expected = (g["selective_heavy"] - g["open_heavy"]).mean()
    assert bars["all"].lines[0].get_xdata()[0] == pytest.approx(expected)


def test_differences_between_strategies_within_runs(one_arm):
    fig = plots.plot_differences(one_arm.groups, "opps_total")
    (ax,) = fig.axes
    bars = errorbars(ax)
    assert len(bars) == 1 and errorbar_has_width(next(iter(bars.values())))
    assert "open − selective" in flat(ax.get_xlabel()) and not ax.get_yticks().size
    g = stats.at_step(one_arm.groups[one_arm.groups.group_by == "strategy"])
    wide = g.pivot(index="run_id", columns="group", values="opps_total")
    assert next(iter(bars.values())).lines[0].get_xdata()[0] == pytest.approx(
        (wide["open"] - wide["selective"]).mean())


def test_differences_over_a_parameter(sweep):
    fig = plots.plot_differences(sweep.groups, "opps_total", between="group",
                                 compare=["selective", "open"], x="bad_share")
    (ax,) = fig.axes
    assert sorted(errorbars(ax)) == ["open_heavy", "selective_heavy"]
    assert flat(ax.get_xlabel()) == "share of bad actors"
    assert "selective − open" in flat(ax.get_ylabel())


def test_an_x_with_one_value_falls_back_to_points(sweep):
    one = sweep.groups[sweep.groups.open_share == 0.5]
    fig = plots.plot_outcomes(one, "opps_total", x="open_share")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["open_heavy",
                                                                     "selective_heavy"]
    assert "open_share = 0.5" in caption_of(fig)
    fig = plots.plot_differences(one, "opps_total", x="open_share")
    assert list(errorbars(fig.axes[0])) == ["all", "open", "selective"]


def test_timeseries_per_strategy_with_bands_one_panel_per_arm(sweep):
    fig = plots.plot_timeseries(sweep.groups, "opps_total")
    # a panel per arm and open_share value; a further split by bad_share would make 12
    # panels, so bad_share is averaged, and the caption says so
    assert len(fig.axes) == 6
    assert "averaged over bad_share" in flat(caption_of(fig))
    assert fig.axes[1].get_title() == "open_heavy · open_share = 0.5"
    for ax in fig.axes:
        assert [ln.get_label() for ln in ax.lines] == ["open", "selective"]
        assert bands(ax) == ["ci:open", "ci:selective"]
        assert ax.lines[0].get_xdata().tolist() == [0, 1, 2, 3, 4]
    assert flat(fig.axes[-1].get_xlabel()) == "step (weeks)"
    assert flat(fig.axes[0].get_ylabel()) == "opportunities won per agent"
    assert [ax.get_title() for ax in fig.axes] == [
        f"{arm} · open_share = {v:g}" for arm in ("open_heavy", "selective_heavy")
        for v in (0.2, 0.5, 0.8)]
    assert legend_labels(fig) == ["open", "selective"]


def test_outcomes_and_differences_over_many_steps_use_bands():
    long = make_results(reps=3, steps=14)
    fig = plots.plot_outcomes(long.groups, "opps_total", x="step", title="Who wins?")
    (ax,) = fig.axes
    assert bands(ax) == ["ci:open", "ci:selective"] and not errorbars(ax)
    assert ax.get_title() == "Who wins?" and flat(ax.get_xlabel()) == "step (weeks)"
    fig = plots.plot_differences(long.groups, "opps_total", x="step")
    assert bands(fig.axes[0]) == ["ci:base"]
    assert len(fig.axes[0].lines[0].get_xdata()) == 15


def test_timeseries_of_a_model_metric_per_arm(sweep):
    fig = plots.plot_timeseries(sweep.model, "reputation_tau", caption=False)
    assert len(fig.axes) == 6  # one panel per sweep point, arms as lines
    ax = fig.axes[0]
    assert [ln.get_label() for ln in ax.lines] == ["open_heavy", "selective_heavy"]
    assert bands(ax) == ["ci:open_heavy", "ci:selective_heavy"]
    assert flat(ax.get_ylabel()) == "reputation accuracy (Kendall's τ)"
    assert caption_of(fig) == ""


def test_heatmap_of_open_minus_selective_over_two_parameters(sweep):
    fig = plots.plot_heatmap(sweep.groups, "opps_total", x="open_share", y="bad_share",
                             experiment="demo")
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 2  # one per arm
    ax = panels[0]
    mesh = ax.collections[0]
    assert mesh.get_array().shape == (2, 3)
    assert flat(ax.get_xlabel()) == "share of open networkers"
    assert flat(ax.get_ylabel()) == "share of bad actors"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.2", "0.5", "0.8"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.15", "0.05"]  # high on top
    g = stats.at_step(sweep.groups[(sweep.groups.group_by == "strategy")
                                   & (sweep.groups.arm == "open_heavy")])
    cell = g[(g.open_share == 0.2) & (g.bad_share == 0.15)]
    wide = cell.pivot(index="run_id", columns="group", values="opps_total")
    assert mesh.get_array()[0, 0] == pytest.approx((wide["open"] - wide["selective"]).mean())
    assert any(t.get_text().endswith("*") for t in ax.texts)  # significant cells starred
    colorbar = [a for a in fig.axes if a.get_label() == "<colorbar>"]
    assert "open − selective" in colorbar[0].get_ylabel()
    assert flat(fig.subfigs[0].get_suptitle()) == ("Who wins more opportunities? "
                                                   "(open − selective)")
    by_arm = plots.plot_heatmap(sweep.groups, "opps_total", between="arm")
    titles = [ax.get_title() for ax in by_arm.axes if ax.get_label() != "<colorbar>"]
    assert titles == ["group: all", "group: open", "group: selective"]


def test_heatmap_bins_a_sampled_design():
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({"run_id": range(24), "arm": "base", "replication": np.arange(24) % 2,
                         "seed": 1000 + np.arange(24) % 2, "open_share": rng.uniform(0, 1, 24),
                         "bad_share": rng.uniform(0, 0.3, 24)})
    fig = plots.plot_heatmap(make_groups(runs, steps=1), "opps_total")
    assert fig.axes[0].collections[0].get_array().shape == (5, 5)
    assert "binned into 5 intervals" in flat(caption_of(fig))


def test_heatmap_needs_two_swept_parameters(one_arm):
    with pytest.raises(PlotError, match="needs two swept parameters"):
        plots.plot_heatmap(one_arm.groups, "opps_total")


def test_news_reach_over_weeks_and_hops(sweep):
    fig = plots.plot_news_reach(sweep.news)
    # a row of panels per open_share value; with bad_share too there would be 6 rows
    assert len(fig.axes) == 2 * 3
    assert "averaged over bad_share" in flat(caption_of(fig))
    assert "open_share = 0.8" in flat(fig.axes[-1].get_title())
    for ax in fig.axes:
        assert [ln.get_label() for ln in ax.lines] == ["open_heavy", "selective_heavy"]
        assert bands(ax) == ["ci:open_heavy", "ci:selective_heavy"]
        # runs whose trace stopped early are carried forward to the longest trace
        assert ax.lines[0].get_xdata().tolist() == [0, 1, 2, 3, 4, 5]
    assert flat(fig.axes[-1].get_xlabel()) == label("steps_since")
    assert "decision-maker" in flat(fig.axes[0].get_title())
    assert "contacts" in flat(fig.axes[1].get_title())


def test_weak_ties_by_tie_strength_and_mutual_connections(one_arm, sweep):
    by_arm = plots.plot_weak_ties(sweep.opportunities)  # several arms: one line each
    assert list(errorbars(by_arm.axes[0])) == ["open_heavy", "selective_heavy"]
    # a row of panels per open_share value; bad_share as well would make 6 rows
    assert len(by_arm.axes) == 2 * 3
    assert "averaged over bad_share" in flat(caption_of(by_arm))
    fig = plots.plot_weak_ties(one_arm.opportunities, hue="channel")
    assert len(fig.axes) == 2
    strength, mutual = fig.axes
    for ax in fig.axes:
        bars = errorbars(ax)
        assert list(bars) == ["direct", "introduction"]  # cold has no path: left out
        assert any(errorbar_has_width(c) for c in bars.values())
    assert strength.get_xticklabels()[0].get_text() == "0.0–0.2"
    assert [t.get_text() for t in mutual.get_xticklabels()] == ["0", "1", "2", "3–4",
                                                                  "5–9", "10+"]
    assert flat(strength.get_xlabel()) == label("path_strength")
    assert flat(strength.get_ylabel()) == "opportunities won per run"
    # counts per bin, summed over bins, give the mean number of direct wins per run
    opp = one_arm.opportunities
    per_run = (opp.channel == "direct").groupby(opp.run_id).sum().mean()
    assert sum(errorbars(strength)["direct"].lines[0].get_ydata()) == pytest.approx(per_run)
    share = plots.plot_weak_ties(one_arm.opportunities, y="good", hue="winner_strategy")
    assert list(errorbars(share.axes[0])) == ["open", "selective"]
    with pytest.raises(PlotError, match="tie tables"):
        plots.plot_weak_ties(one_arm.opportunities, y="per_tie")


def _plotted(ax) -> dict[str, np.ndarray]:
    """The y values of each error-bar series of a panel."""
    return {name: c.lines[0].get_ydata() for name, c in errorbars(ax).items()}


def test_weak_ties_figure_matches_the_summary_table():
    """The figure-vs-table test: per arm, the weak-ties figure plots exactly the summary
    table's means (opportunities per 100 ties of each strength and of each number of
    mutual connections, and the shares), and each run counts for its own arm only (the
    bug this guards against divided every value by the number of arms)."""
    from simnet.runner import weak_ties_summary

    rs = make_results(arms=("keep_all", "prune_weak", "prune_hard"), reps=3)
    # every opportunity of arm keep_all through a weak tie, of the other arms a strong one
    opp = rs.opportunities.copy()
    weak = (opp["arm"] == "keep_all") & (opp["channel"] != "cold")
    opp.loc[weak, "path_strength"] = 0.1
    table = weak_ties_summary(opp, [], ["keep_all", "prune_weak", "prune_hard"], rs.ties)
    for y, value in (("per_tie", "per_100_ties"), ("share", "share"), ("count", "won")):
        fig = plots.plot_weak_ties(opp, rs.ties, y=y)
        for ax, by in zip(fig.axes, ("tie strength", "mutual connections"), strict=True):
            plotted = _plotted(ax)
            assert list(plotted) == ["keep_all", "prune_weak", "prune_hard"]
            for arm, ys in plotted.items():
                rows = table[(table["arm"] == arm) & (table["by"] == by)]
                expected = rows[value].to_numpy()
                assert ys == pytest.approx(expected[np.isfinite(expected)]), (y, by, arm)
    fig = plots.plot_weak_ties(opp, rs.ties, y="share")
    keep_all = _plotted(fig.axes[0])["keep_all"]
    assert keep_all[0] == pytest.approx(1.0)  # all of keep_all's deliveries: one bin
    assert sum(_plotted(fig.axes[1])["prune_hard"]) == pytest.approx(1.0)


def test_weak_ties_per_tie_divides_by_the_ties_of_each_bin(one_arm):
    fig = plots.plot_weak_ties(one_arm.opportunities, one_arm.ties, hue="channel")
    assert flat(fig.axes[0].get_ylabel()) == "opportunities won per 100 ties"
    assert "ties counted at the end of each run" in flat(caption_of(fig))
    opp, ties = one_arm.opportunities, one_arm.ties
    run0 = opp[(opp.run_id == 0) & (opp.channel == "direct")]
    won = ((run0.path_strength > 0.4) & (run0.path_strength <= 0.6)).sum()
    n_ties = ((ties.run_id == 0) & (ties.strength > 0.4) & (ties.strength <= 0.6)).sum()
    from simnet.stats import weak_ties_table

    per_run = weak_ties_table(opp[opp.channel == "direct"], ties, "path_strength")
    row = per_run[(per_run.run_id == 0) & (per_run.bin == "0.4–0.6")]
    assert row["won"].item() == won and row["ties"].item() == n_ties
    assert row["per_100_ties"].item() == pytest.approx(100 * won / n_ties)


def test_network_drawing(one_arm):
    fig = plots.plot_network(one_arm.agents, one_arm.ties, experiment="demo")
    (ax,) = fig.axes
    nodes = {c.get_gid(): c for c in ax.collections if isinstance(c, PathCollection)}
    agents = one_arm.agents[one_arm.agents.run_id == 0]
    assert set(nodes) == {"nodes:open", "nodes:selective", "bad_actors"}
    assert len(nodes["nodes:open"].get_offsets()) == (agents.strategy == "open").sum()
    assert len(nodes["bad_actors"].get_offsets()) == agents.bad_actor.sum()
    sizes = nodes["nodes:open"].get_sizes()
    assert sizes.max() > sizes.min()  # sized by perceived reputation
    (ties,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(ties.get_segments()) == (one_arm.ties.run_id == 0).sum()
    assert len(set(np.round(ties.get_linewidths(), 3))) > 1  # width by strength
    assert {"open", "selective", "bad actor", "no evidence"} <= set(legend_labels(fig))
    assert "run 0" in caption_of(fig)


def test_network_refuses_large_networks_politely(one_arm):
    with pytest.raises(PlotError, match="24 agents; drawings are limited to 10"):
        plots.plot_network(one_arm.agents, one_arm.ties, max_nodes=10)
    with pytest.raises(PlotError, match="no ties table"):
        plots.plot_network(one_arm.agents, None)


def test_force_layout_is_deterministic_and_pulls_ties_together():
    n = 30
    u = np.concatenate([np.arange(14), np.arange(15, 29)])
    v = u + 1  # two paths, 0..14 and 15..29
    a = plots.force_layout(n, u, v)
    assert np.array_equal(a, plots.force_layout(n, u, v))
    assert a.min() >= 0 and a.max() <= 1
    tied = np.linalg.norm(a[u] - a[v], axis=1).mean()
    pairs = np.linalg.norm(a[:, None] - a[None], axis=-1)
    assert tied < 0.5 * pairs[np.triu_indices(n, 1)].mean()


def test_width_option_and_house_font_sizes(one_arm):
    single = plots.plot_outcomes(one_arm.groups, caption=False)
    double = plots.plot_outcomes(one_arm.groups, width="double", caption=False)
    assert single.get_figwidth() == 3.5 and double.get_figwidth() == 7.2
    assert all(t.get_fontsize() >= 6 for t in single.axes[0].get_xticklabels())


def test_bad_tables_get_plot_errors(one_arm):
    with pytest.raises(PlotError, match="no groups rows"):
        plots.plot_outcomes(one_arm.groups.iloc[:0])
    with pytest.raises(PlotError, match="no column 'opps_total'"):
        plots.plot_outcomes(one_arm.groups.drop(columns="opps_total"))
    with pytest.raises(PlotError, match="no rows grouped by 'team'"):
        plots.plot_outcomes(one_arm.groups, group_by="team")


# ----------------------------------------------------------------- results folders
def write_results(root, results, figures=None):
    """Write synthetic results through the real results store (one folder per run)."""
    from simnet.results import ResultsStore

    runs = results.groups.drop_duplicates("run_id")
    arms = list(dict.fromkeys(runs["arm"]))
    params = stats.param_columns(results.groups)
    experiment = {"experiment": {"name": "demo", "seed": 7, "steps": 2}}
    if figures:
        experiment["plots"] = {"figure": figures}
    manifest = {"experiment_name": "demo", "fingerprint": "f" * 16, "arms": arms,
                "baseline": arms[0], "varied": params, "experiment": experiment,
                "runs": [{"run_id": f"r{r.run_id}", "arm": r.arm,
                          "replication": int(r.replication), "seed": int(r.seed),
                          "params": {p: getattr(r, p) for p in params}}
                         for r in runs.itertuples()]}
    with ResultsStore.open(root, manifest) as store:
        for run in manifest["runs"]:
            rid = int(run["run_id"][1:])
            tables = {}
            for name in ("groups", "model", "agents", "opportunities", "ties", "news"):
                table = getattr(results, name)
                tables[name] = table[table.run_id == rid].assign(run_id=run["run_id"])
            store.write_run(run["run_id"], tables, run)
    return root


def test_plot_results_dir_writes_the_figures_the_experiment_names(tmp_path):
    figures = [{"kind": "outcomes", "metric": ["opps_total", "bad_suffered"],
                "name": "key_figure", "title": "Open or selective?"},
               {"kind": "heatmap", "metric": "opps_total"},
               {"kind": "news_reach"}]
    results = make_results(reps=2, steps=2,
                           params={"open_share": [0.3, 0.7], "bad_share": [0.1, 0.2]})
    write_results(tmp_path, results, figures)
    paths = plots.plot_results_dir(tmp_path)
    names = sorted(p.name for p in paths)
    assert names == ["heatmap_opps_total.pdf", "heatmap_opps_total.png", "key_figure.pdf",
                     "key_figure.png", "news_reach.pdf", "news_reach.png"]
    for path in paths:
        assert path.parent == tmp_path / "figures" and path.stat().st_size > 5000
        head = path.read_bytes()[:8]
        assert head == PNG_MAGIC if path.suffix == ".png" else head.startswith(b"%PDF-")
    from PIL import Image

    with Image.open(tmp_path / "figures" / "key_figure.png") as image:
        assert image.width >= 3.5 * 200 and round(image.info["dpi"][0]) >= 200
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == names  # no temp files


def test_paper_style_writes_captions_beside_the_figures(tmp_path):
    figures = [{"kind": "outcomes", "metric": ["opps_total", "bad_suffered"],
                "name": "key_figure"}]
    results = make_results(reps=2, steps=2)
    write_results(tmp_path, results, figures)
    paths = plots.plot_results_dir(tmp_path, style="paper")
    assert sorted(p.name for p in paths) == ["key_figure.caption.txt", "key_figure.pdf",
                                             "key_figure.png"]
    text = (tmp_path / "figures" / "key_figure.caption.txt").read_text()
    assert "2 replications" in text and "95% CI" in text
    from simnet.plots.style import figure_style

    with figure_style("paper"):
        fig = plots.draw(figures[0], results, "demo")
    assert not [t for sub in fig.subfigs for t in sub.texts]  # no caption strip
    assert "95% CI" in caption_of(fig)
    with pytest.raises(ValueError, match="style"):
        with figure_style("poster"):
            pass


def test_panels_are_lettered_in_reading_order(sweep, one_arm):
    def letters(fig):
        return [t.get_text() for ax in fig.axes for t in ax.texts
                if t.get_gid() == "panel-letter"]

    fig = plots.plot_outcomes(sweep.groups, ["opps_total", "bad_suffered", "degree"])
    assert letters(fig) == ["a", "b", "c"]
    fig = plots.plot_heatmap(sweep.groups, "opps_total")  # colour bars are not panels
    assert letters(fig) == ["a", "b"]
    assert letters(plots.plot_differences(one_arm.groups, "opps_total")) == []  # one panel


def test_spam_acceptance_rate_over_time_is_derived_per_interval():
    runs = make_runs(arms=("open_world",), reps=2)
    groups = make_groups(runs, steps=4)
    # spammers: 10 requests a step; accepted 8, 6, 4, 2 per step (being shunned)
    spam = (groups.group_by == "strategy") & (groups.group == "open")
    groups.loc[spam, "requests_sent"] = 10.0 * groups.loc[spam, "step"]
    accepted = np.cumsum([0, 8, 6, 4, 2])
    groups.loc[spam, "requests_accepted"] = accepted[groups.loc[spam, "step"]]
    fig = plots.plot_timeseries(groups, "acceptance_rate")
    line = next(ln for ln in fig.axes[0].lines if ln.get_label() == "open")
    assert line.get_xdata().tolist() == [1, 2, 3, 4]  # no rate before the first interval
    assert line.get_ydata() == pytest.approx([0.8, 0.6, 0.4, 0.2])
    assert flat(fig.axes[0].get_ylabel()) == label("acceptance_rate")
    fig = plots.plot_timeseries(groups, "acceptance")  # cumulative share: 8/10, 14/20 ...
    line = next(ln for ln in fig.axes[0].lines if ln.get_label() == "open")
    assert line.get_ydata() == pytest.approx([0.8, 0.7, 0.6, 0.5])


def test_results_set_drives_arm_order_baseline_and_parameters(tmp_path):
    from simnet.results import load_results

    results = make_results(arms=("zeta", "alpha"), reps=2, steps=2,
                           params={"open_share": [0.3, 0.7]})
    write_results(tmp_path, results)
    loaded = load_results(tmp_path)
    loaded.manifest["baseline"] = "zeta"
    plots.annotate(loaded)
    assert stats.param_columns(loaded.groups) == ["open_share"]
    fig = plots.draw({"kind": "differences", "metric": "opps_total"}, loaded, "demo")
    assert "alpha − zeta" in flat(fig.axes[0].get_xlabel())
    fig = plots.draw({"kind": "timeseries", "metric": "opps_total", "title": "Who wins?"},
                     loaded, "demo")
    assert [ax.get_title() for ax in fig.axes] == [
        f"{arm} · open_share = {v}" for arm in ("zeta", "alpha") for v in (0.3, 0.7)]
    assert fig.subfigs[0].get_suptitle() == "Who wins?"
    fig = plots.draw({"kind": "outcomes", "metric": "degree", "x": "step"}, loaded)
    assert bands(fig.axes[0]) == [] and len(errorbars(fig.axes[0])) == 4  # 3 steps: bars
    fig = plots.draw({"kind": "outcomes", "metric": "opps_total", "x": "arm"}, loaded)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["zeta", "alpha"]


def test_plot_results_dir_default_set_and_skips(tmp_path):
    results = make_results(reps=2, steps=2)
    write_results(tmp_path, results)
    kinds = [f["kind"] for f in plots.default_figures(results)]
    assert kinds == ["outcomes", "differences", "timeseries", "news_reach", "weak_ties",
                     "network"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = plots.plot_results_dir(tmp_path, figures=[{"kind": "timeseries"},
                                                          {"kind": "heatmap"}],
                                       formats=("png",))
    assert [p.name for p in paths] == ["timeseries.png"]
    assert [w.category for w in caught] == [FigureSkipped]
    assert "heatmap: skipped: a heatmap needs two swept parameters" in str(caught[0].message)


def test_plot_results_dir_empty_or_malformed_folders(tmp_path):
    def error(path, **kw) -> str:
        with pytest.raises(PlotError) as err:
            plots.plot_results_dir(path, **kw)
        assert "\n" not in str(err.value)
        return str(err.value)

    assert "no such results folder" in error(tmp_path / "missing")
    assert "not a simnet results folder" in error(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    assert "manifest" in error(tmp_path)
    (tmp_path / "manifest.json").write_text('{"runs": []}')
    assert error(tmp_path).endswith("no finished runs to plot")
    good = write_results(tmp_path / "good", make_results(reps=1, steps=1))
    assert "plots.figure[0].kind: 'pie' is not a figure kind" in error(
        good, figures=[{"kind": "pie"}])
    next((good / "tables" / "groups").glob("*/*.parquet")).write_bytes(b"PAR1 garbage")
    assert "not a readable simnet results folder" in error(good)


def test_export_one_figure_and_the_module_command(tmp_path, capsys):
    from simnet.plots.__main__ import main

    results = make_results(reps=2, steps=2, params={"open_share": [0.3, 0.7]})
    write_results(tmp_path / "res", results)
    out = plots.export_figure(tmp_path / "res", {"kind": "outcomes", "x": "open_share"},
                              tmp_path / "docs" / "key.png", dpi=100)
    assert out.read_bytes()[:8] == PNG_MAGIC and 5000 < out.stat().st_size < 200_000
    assert main([str(tmp_path / "res"), "--kind", "differences", "--metric", "opps_total",
                 "--x", "open_share", "--out", str(tmp_path / "d.pdf")]) == 0
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF-")
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "error: " in capsys.readouterr().err
