"""The ``[sweep]`` section and its designs: a grid, a Latin hypercube or Sobol sample
(``[sweep.bounds]``), or a Morris screen, whose trajectories, seed keys and run seeds are
computed here too (see :mod:`simnet.sensitivity`).
"""

from __future__ import annotations

from typing import Any

from simnet.config import (
    FIELD_SECTION,
    ModelConfig,
    _did_you_mean,
)
from simnet.experiment.checks import (
    _cast,
    _err,
    _field_type,
    _is_number,
    _strategy_param,
    _whole,
    apply_overrides,
)
from simnet.experiment.schema import (
    DESIGN_ALIASES,
    DESIGNS,
    MORRIS_KEYS,
    SAMPLED_KEYS,
    SEED_FACTORS,
    Sweep,
)


def _parse_sweep(table: dict, base: ModelConfig, base_dir: str | None,
                 where: str = "sweep") -> Sweep:
    design = table.get("design", "grid")
    if not isinstance(design, str):
        raise _err(f"{where}.design = {design!r}: allowed values are {', '.join(DESIGNS)}")
    design = DESIGN_ALIASES.get(design, design)
    if design not in DESIGNS:
        raise _err(f"{where}.design = {design!r}: allowed values are {', '.join(DESIGNS)}"
                   f"{_did_you_mean(design, DESIGNS)}")
    if design == "grid":
        for key in ("samples", "bounds", "second_order"):
            if key in table:
                raise _err(f"{where}.{key} only applies to a sampled design "
                           f"(design = 'lhs' or 'sobol'); a grid lists values instead")
        grid = []
        for name, values in table.items():
            if name == "design":
                continue
            if "." in name:
                _strategy_param(name, base, where)
            elif name not in FIELD_SECTION:
                raise _err(f"unknown model parameter '{name}' in [{where}]"
                           f"{_did_you_mean(name, [*FIELD_SECTION, *SAMPLED_KEYS])}")
            if not isinstance(values, list):
                raise _err(f"{where}.{name} = {values!r}: expected a list of values, "
                           f"e.g. {name} = [a, b, c]")
            if not values:
                raise _err(f"{where}.{name} = []: empty grid; give at least one value")
            for i, value in enumerate(values):
                apply_overrides(base, {name: value}, f"{where}.{name}[{i}]", base_dir)
            grid.append((name, tuple(values)))
        if not grid:
            raise _err(f"[{where}] has no parameters to vary: add parameter = [values] "
                       f"(or design = 'lhs' / 'sobol' with bounds), or remove [{where}]")
        return Sweep("grid", tuple(grid))
    if design == "morris":
        return _parse_morris(table, base, base_dir, where)
    # sampled design
    _check_design_keys(table, SAMPLED_KEYS, where, design)
    if "samples" not in table:
        raise _err(f"{where}.samples is required for design = '{design}'")
    samples = _whole(f"{where}.samples", table["samples"], 1, 1_000_000)
    if design == "sobol" and samples & (samples - 1):
        raise _err(f"{where}.samples = {samples}: design = 'sobol' needs a power of two "
                   f"(e.g. {1 << max(0, samples.bit_length() - 1)} or "
                   f"{1 << samples.bit_length()})")
    second_order = table.get("second_order", True)
    if not isinstance(second_order, bool):
        raise _err(f"{where}.second_order = {second_order!r}: expected true or false")
    if design != "sobol" and "second_order" in table:
        raise _err(f"{where}.second_order only applies to design = 'sobol'")
    bounds = _parse_bounds(table, base, base_dir, where, design)
    if design == "sobol" and len(bounds) < 2:
        raise _err(f"{where}.bounds: design = 'sobol' needs at least two parameters")
    return Sweep(design, (), tuple(bounds), samples, second_order)

def _check_design_keys(table: dict, allowed: tuple[str, ...], where: str,
                       design: str) -> None:
    """ConfigError naming the first key of a sampled design's ``[sweep]`` not in
    ``allowed`` (a parameter given there belongs in ``[sweep.bounds]``)."""
    for key in table:
        if key not in allowed:
            if key in FIELD_SECTION or "." in key:
                raise _err(f"{where}.{key}: a sampled design (design = '{design}') takes "
                           f"parameters in [{where}.bounds] as {key} = [low, high], not a "
                           f"list of values")
            raise _err(f"unknown key '{key}' in [{where}]{_did_you_mean(key, allowed)}"
                       f"; allowed: {', '.join(allowed)}")

def _parse_bounds(table: dict, base: ModelConfig, base_dir: str | None, where: str,
                  design: str) -> tuple[tuple[str, float, float], ...]:
    """``[sweep.bounds]`` of a sampled design: (parameter, low, high) per parameter, in
    file order; a switch (true or false) is given as ``[false, true]`` and stored as
    (0, 1)."""
    bounds_table = table.get("bounds")
    if bounds_table is None:
        raise _err(f"{where}.bounds is required for design = '{design}': a table of "
                   f"parameter = [low, high]")
    if not isinstance(bounds_table, dict):
        raise _err(f"{where}.bounds must be a table of parameter = [low, high]")
    if not bounds_table:
        raise _err(f"{where}.bounds is empty: give at least one parameter = [low, high]")
    bounds = []
    for name, pair in bounds_table.items():
        w = f"{where}.bounds.{name}"
        if name in SEED_FACTORS and design == "morris":
            raise _err(f"{w}: '{name}' is a dummy factor of the Morris design, added by it")
        if "." in name:
            _strategy_param(name, base, f"{where}.bounds")
        elif name not in FIELD_SECTION:
            raise _err(f"{where}.bounds: unknown model parameter '{name}'"
                       f"{_did_you_mean(name, FIELD_SECTION)}")
        kind = _field_type(name)
        if kind.startswith("bool"):
            if pair != [False, True]:
                raise _err(f"{w} = {pair!r}: a switch is sampled as [false, true]")
            bounds.append((name, 0.0, 1.0))
            continue
        if not kind.startswith(("int", "float")):
            raise _err(f"{w}: only numeric parameters and switches can be sampled ({name} "
                       f"is not a number)")
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(_is_number(v) for v in pair)):
            raise _err(f"{w} = {pair!r}: expected [low, high], two numbers")
        lo, hi = pair
        if not lo < hi:
            raise _err(f"{w} = {pair!r}: low must be below high")
        apply_overrides(base, {name: _cast(name, lo)}, f"{w}[0]", base_dir)
        apply_overrides(base, {name: _cast(name, hi)}, f"{w}[1]", base_dir)
        bounds.append((name, float(lo), float(hi)))
    return tuple(bounds)

def _parse_morris(table: dict, base: ModelConfig, base_dir: str | None, where: str) -> Sweep:
    """A ``design = "morris"`` sweep: ``trajectories``, ``levels`` and ``[sweep.bounds]``."""
    _check_design_keys(table, MORRIS_KEYS, where, "morris")
    if "trajectories" not in table:
        raise _err(f"{where}.trajectories is required for design = 'morris'")
    trajectories = _whole(f"{where}.trajectories", table["trajectories"], 2, 100_000)
    levels = _whole(f"{where}.levels", table.get("levels", 4), 2, 1000)
    if levels % 2:
        raise _err(f"{where}.levels = {levels}: design = 'morris' needs an even number of "
                   f"levels (e.g. {levels - 1} or {levels + 1})")
    bounds = _parse_bounds(table, base, base_dir, where, "morris")
    return Sweep("morris", (), bounds, trajectories=trajectories, levels=levels)

def morris_problem(sweep: Sweep) -> dict:
    """The SALib problem of a Morris design: the swept parameters in file order, then the
    seed dummies :data:`SEED_FACTORS`, each on [0, 1]."""
    names = [name for name, _, _ in sweep.bounds]
    return {"num_vars": len(names) + len(SEED_FACTORS), "names": [*names, *SEED_FACTORS],
            "bounds": ([[lo, hi] for _, lo, hi in sweep.bounds]
                       + [[0.0, 1.0]] * len(SEED_FACTORS))}

def morris_sample(sweep: Sweep, seed: int):
    """float64[trajectories * (D + S + 1), D + S]: SALib's Morris trajectories (one after
    the other, D + S + 1 rows each) in parameter units, the S seed dummies last; drawn
    from ``seed`` (the experiment's root seed), so the analysis can draw it again."""
    import warnings

    import numpy as np
    from SALib.sample import morris

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return morris.sample(morris_problem(sweep), sweep.trajectories,
                             num_levels=sweep.levels, seed=np.random.default_rng(seed))

def morris_points(sweep: Sweep, seed: int) -> list[dict[str, Any]]:
    """The Morris design's points: parameter name -> value in its field's type (the seed
    dummies left out: they set the seed, see :func:`morris_seed_keys`)."""
    names = [name for name, _, _ in sweep.bounds]
    return [{name: _cast(name, float(v)) for name, v in zip(names, row, strict=False)}
            for row in morris_sample(sweep, seed)]

def morris_seed_keys(sweep: Sweep, seed: int) -> list[tuple[int, ...]]:
    """Per point: (trajectory, level of each seed dummy). Runs with the same key share
    their seed (common random numbers), so within a trajectory the seed changes only at
    the steps that move a seed dummy."""
    sample = morris_sample(sweep, seed)
    per = len(sweep.bounds) + len(SEED_FACTORS) + 1
    dummies = sample[:, len(sweep.bounds):]
    return [(i // per, *(round(float(v) * (sweep.levels - 1)) for v in row))
            for i, row in enumerate(dummies)]

def morris_run_seed(replication_seed: int, key: tuple[int, ...]) -> int:
    """The seed (a 63-bit whole number) of a run of a Morris design: drawn from the
    replication's seed and the point's seed key (trajectory, seed dummy levels)."""
    import numpy as np

    state = np.random.SeedSequence([replication_seed, *key]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))
