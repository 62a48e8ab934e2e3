"""Experiment files: a validated model configuration plus how to run it.

An experiment is one TOML file. Everything in it is checked before anything runs, and any
mistake is reported as a :class:`~simnet.config.ConfigError` whose one-line message names
the field. The full schema, with examples, is in ``docs/experiments.md``; in short:

``[experiment]``
    ``name`` (the results folder; default: the file's stem), ``description``, ``seed`` (the
    root seed, a whole number >= 0), ``steps`` (per run), ``replications`` (runs per
    configuration, each with its own seed), ``baseline`` (the arm paired differences are
    taken against; default: the first arm).

``[population]``, ``[network]``, ``[ties]``, ``[evidence]``, ``[word_of_mouth]``, ...
    The base model configuration (also ``[opportunities]`` and ``[strategies.NAME]``),
    exactly as :mod:`simnet.config` reads it.

``[sweep]``
    The parameters to vary. A grid (the default, ``design = "grid"``): any model parameter
    by its plain name (as ``ModelConfig.with_overrides`` accepts it) with a list of values,
    e.g. ``open_share = [0.2, 0.5, 0.8]``; every combination is run. Or a sampled design:
    ``design = "lhs"`` (Latin hypercube) or ``"sobol"`` (Saltelli's scheme, via SALib, for
    Sobol sensitivity indices), with ``samples`` (sobol: a power of two; it makes
    ``samples * (2 D + 2)`` points, or ``samples * (D + 2)`` with ``second_order = false``)
    and ``[sweep.bounds]``: ``parameter = [low, high]`` (``[false, true]`` for a switch). Or
    ``design = "morris"`` (elementary effects, via SALib) with ``trajectories``, ``levels``
    (even, default 4) and ``[sweep.bounds]``: ``trajectories * (D + 1 + 3)`` points, since
    three dummy factors that change only the seed are added as a noise floor (see
    :mod:`simnet.sensitivity`). A custom strategy's policy parameter is swept as
    ``STRATEGY.PARAMETER`` (say ``"cautious.min_mutual" = [0, 4]``) in any design.

``[arms.NAME]``
    The arms of a comparison: each a table of model-parameter overrides (plain names), and
    optionally ``[arms.NAME.strategies.S]`` to change or define custom strategy ``S``. Every
    arm runs every sweep point with the same seeds (common random numbers).

``[output]``
    ``metrics`` (the per-group metrics to keep; default all of
    ``simnet.metrics.GROUP_METRICS``), ``model_metrics`` (default all of
    ``simnet.model.MODEL_REPORTERS``), ``every`` (keep every k-th step, plus the last),
    ``tables`` (which of :data:`TABLES` to write) and ``ties_max_agents`` (write the tie
    table only for runs with at most this many agents; default 2000).

``[quick]``
    The ``--quick`` size, for CI: ``steps``, ``replications``, ``samples`` (or
    ``trajectories`` for a Morris design), ``every``, any
    model parameter (say ``n_agents``), and ``[quick.sweep]`` to replace sweep entries.
    Without it, ``--quick`` caps n_agents at 200, steps at 10 and replications at 2.

``[[plots.figure]]``
    The figures ``simnet run`` draws: ``kind`` (one of :data:`FIGURE_KINDS`) and optional
    ``metric``, ``x``, ``y``, ``group_by`` ("strategy" or "conduct_type"), ``compare``,
    ``between``, ``width`` and ``name`` (see ``simnet.plots``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from simnet import metric_registry
from simnet.config import (
    FIELD_SECTION,
    PRESET_NAMES,
    SECTIONS,
    ConfigError,
    ModelConfig,
    StrategyParams,
    _did_you_mean,
    model_config_from_dict,
)

FIGURE_KINDS = ("outcomes", "differences", "timeseries", "heatmap", "news_reach",
                "weak_ties", "network", "sensitivity")
FIGURE_KEYS: dict[str, tuple[type, ...]] = {
    "kind": (str,), "metric": (str, list), "x": (str,), "y": (str,), "group_by": (str,),
    "compare": (list,), "between": (str,), "width": (str, int, float), "name": (str,),
}
GROUP_BY = ("strategy", "conduct_type")
TABLES = metric_registry.TABLES  # the tables a run can write
DESIGNS = ("grid", "lhs", "sobol", "morris")
DESIGN_ALIASES = {"latin": "lhs", "latin_hypercube": "lhs", "saltelli": "sobol"}
# Columns of the news table (simnet.model.ReputationModel.news_table) a figure may name.
NEWS_METRICS = ("aware", "aware_share", "contacts_aware_share", "in_flight", "heard_weight")

EXPERIMENT_KEYS = ("name", "description", "seed", "steps", "replications", "baseline")
OUTPUT_KEYS = ("metrics", "model_metrics", "every", "tables", "ties_max_agents")
QUICK_KEYS = ("steps", "replications", "samples", "trajectories", "every", "sweep")
SAMPLED_KEYS = ("design", "samples", "bounds", "second_order")
MORRIS_KEYS = ("design", "trajectories", "levels", "bounds")
# The Morris design's dummy factors: moving one changes only the runs' seed (a noise floor;
# several, so that the floor is estimated from more elementary effects than a parameter's).
SEED_FACTORS = ("seed", "seed_2", "seed_3")
SEED_FACTOR = SEED_FACTORS[0]
TOP_SECTIONS = ("experiment", "strategies", *SECTIONS, "sweep", "arms", "output", "quick",
                "plots")
MAX_SEED = 2**63 - 1
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

DEFAULT_QUICK = {"n_agents": 200, "steps": 10, "replications": 2}
FIGURE_WIDTHS = ("single", "double")
FIGURE_MIN_INCHES, FIGURE_MAX_INCHES = 1, 40
# what a weak_ties figure can show
WEAK_TIES_Y = ("per_tie", "count", "share", "good", "rate", "new_share")
# An experiment file is a few kB: refuse anything far bigger before reading it, and
# nesting deeper than a real file uses (tomllib and later code recurse).
MAX_FILE_BYTES = 1 << 20
MAX_NESTING = 32


# --------------------------------------------------------------------------- dataclasses

@dataclass(frozen=True)
class Sweep:
    """What varies between the points of an experiment.

    ``grid``: (parameter, values) pairs, every combination run; ``bounds``: (parameter,
    low, high) for a sampled design (``design`` "lhs" or "sobol") of ``samples``, or a
    Morris design of ``trajectories`` on a grid of ``levels`` levels (a switch has bounds
    (0, 1): sampled values of at least 0.5 turn it on).
    """

    design: str = "grid"
    grid: tuple[tuple[str, tuple], ...] = ()
    bounds: tuple[tuple[str, float, float], ...] = ()
    samples: int = 0
    second_order: bool = True
    trajectories: int = 0
    levels: int = 4

    @property
    def params(self) -> tuple[str, ...]:
        """The varied parameters, in file order."""
        if self.design == "grid":
            return tuple(name for name, _ in self.grid)
        return tuple(name for name, _, _ in self.bounds)

    def n_points(self) -> int:
        if self.design == "grid":
            return math.prod(len(values) for _, values in self.grid) if self.grid else 1
        d = len(self.bounds)
        if self.design == "lhs":
            return self.samples
        if self.design == "morris":
            return self.trajectories * (d + 1 + len(SEED_FACTORS))  # and seed dummies
        return self.samples * (2 * d + 2 if self.second_order else d + 2)

    def to_dict(self) -> dict:
        if self.design == "grid":
            return {name: list(values) for name, values in self.grid}
        if self.design == "morris":
            return {"design": "morris", "trajectories": self.trajectories,
                    "levels": self.levels,
                    "bounds": {n: [lo, hi] for n, lo, hi in self.bounds}}
        out: dict[str, Any] = {"design": self.design, "samples": self.samples,
                               "bounds": {n: [lo, hi] for n, lo, hi in self.bounds}}
        if self.design == "sobol":
            out["second_order"] = self.second_order
        return out


@dataclass(frozen=True)
class OutputSpec:
    """Which metrics, steps and tables a run keeps."""

    metrics: tuple[str, ...] | None = None        # None: all GROUP_METRICS
    model_metrics: tuple[str, ...] | None = None  # None: all MODEL_REPORTERS
    every: int = 1
    tables: tuple[str, ...] = TABLES
    ties_max_agents: int = 2000

    def keeps_step(self, step: int, last: int) -> bool:
        return step % self.every == 0 or step == last

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"every": self.every, "tables": list(self.tables),
                               "ties_max_agents": self.ties_max_agents}
        if self.metrics is not None:
            out["metrics"] = list(self.metrics)
        if self.model_metrics is not None:
            out["model_metrics"] = list(self.model_metrics)
        return out


@dataclass(frozen=True)
class Arm:
    """One arm of a comparison: overrides applied to the base model, and the result."""

    name: str
    overrides: dict = field(default_factory=dict)
    model: ModelConfig | None = None


@dataclass(frozen=True)
class ExperimentConfig:
    """One experiment file, resolved and validated.

    ``model`` is the base configuration; ``arms`` (at least one: "base" when the file has
    none) each carry their own resolved model; ``sweep`` says what varies between points.
    """

    name: str
    model: ModelConfig
    seed: int = 0
    steps: int = 100
    description: str = ""
    replications: int = 1
    sweep: Sweep = field(default_factory=Sweep)
    arms: tuple[Arm, ...] = ()
    baseline: str | None = None
    output: OutputSpec = field(default_factory=OutputSpec)
    plots: tuple[dict, ...] = ()
    quick_table: dict | None = None
    quick: bool = False
    source: str | None = None  # the file it came from
    base_dir: str | None = None  # the folder relative edge-list paths may be found in

    # ---------------------------------------------------------------- structure
    @property
    def arm_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.arms) if self.arms else ("base",)

    @property
    def reference_arm(self) -> str:
        return self.baseline or self.arm_names[0]

    @property
    def varied(self) -> tuple[str, ...]:
        return self.sweep.params

    def n_runs(self) -> int:
        return len(self.arm_names) * self.sweep.n_points() * self.replications

    def arm_model(self, arm: str) -> ModelConfig:
        for a in self.arms:
            if a.name == arm:
                return a.model
        return self.model

    def arm_overrides(self, arm: str) -> dict:
        for a in self.arms:
            if a.name == arm:
                return a.overrides
        return {}

    def point_config(self, arm: str, point: dict[str, Any]) -> ModelConfig:
        """The model configuration of one arm at one sweep point (validated)."""
        if not point:
            return self.arm_model(arm)
        merged = {**self.arm_overrides(arm), **point}
        return apply_overrides(self.model, merged, f"arms.{arm}" if self.arms else "sweep",
                               self.base_dir)

    # ---------------------------------------------------------------- serialising
    def to_dict(self) -> dict:
        """The resolved experiment as a plain dict (JSON and TOML friendly)."""
        exp: dict[str, Any] = {"name": self.name, "description": self.description,
                               "seed": self.seed, "steps": self.steps,
                               "replications": self.replications}
        if self.baseline is not None:
            exp["baseline"] = self.baseline
        out: dict[str, Any] = {"experiment": exp, **self.model.to_dict()}
        sweep = self.sweep.to_dict()
        if sweep:
            out["sweep"] = sweep
        if self.arms:
            out["arms"] = {a.name: _jsonable(a.overrides) for a in self.arms}
        out["output"] = self.output.to_dict()
        if self.plots:
            out["plots"] = {"figure": [dict(f) for f in self.plots]}
        if self.quick_table is not None and not self.quick:
            out["quick"] = _jsonable(self.quick_table)
        return out

    def fingerprint(self) -> str:
        """A hash of everything that decides the results (not the description or plots)."""
        data = self.to_dict()
        data.pop("plots", None)
        data.pop("quick", None)
        data["quick_size"] = self.quick
        data["experiment"] = {k: v for k, v in data["experiment"].items()
                              if k not in ("description", "baseline")}
        text = json.dumps(_jsonable(data), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_quick(self) -> ExperimentConfig:
        """The ``--quick`` size of this experiment."""
        if self.quick:
            return self
        table = self.quick_table if self.quick_table is not None else _default_quick(self)
        return _apply_quick(self, table)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


# --------------------------------------------------------------------------- helpers

def _err(message: str) -> ConfigError:
    return ConfigError(message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_keys(where: str, table: dict, allowed) -> None:
    for key in table:
        if key not in allowed:
            raise _err(f"unknown key '{key}' in [{where}]{_did_you_mean(key, allowed)}; "
                       f"allowed: {', '.join(allowed)}")


def _table(data: dict, key: str, where: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _err(f"[{where}] must be a table, got {type(value).__name__} {value!r}")
    return value


def _whole(where: str, value: Any, lo: int, hi: int) -> int:
    if not _is_int(value):
        raise _err(f"{where} = {value!r}: expected a whole number in [{lo}, {hi}]")
    if not lo <= value <= hi:
        raise _err(f"{where} = {value!r} is out of range: allowed [{lo}, {hi}]")
    return value


def _plain_name(where: str, value: Any) -> str:
    if not isinstance(value, str) or not _PLAIN_NAME.match(value):
        raise _err(f"{where} = {value!r}: expected a plain name (letters, digits, '_', '-', "
                   f"'.'; no spaces or slashes)")
    return value


def _field_type(name: str) -> str:
    """The type (as text: "float", "int", "bool" ...) of a model parameter, or of a
    strategy's policy parameter named ``STRATEGY.PARAMETER``."""
    section = StrategyParams if "." in name else SECTIONS[FIELD_SECTION[name]]
    name = name.split(".", 1)[1] if "." in name else name
    for f in fields(section):
        if f.name == name:
            return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    return ""  # pragma: no cover


def _resolve_path(cfg: ModelConfig, base_dir: str | None) -> ModelConfig:
    """Edge-list paths: relative to the working folder, else to the experiment file's."""
    path = cfg.network.path
    if cfg.network.kind != "file" or not path or base_dir is None:
        return cfg
    p = Path(path)
    if p.is_absolute() or p.is_file():
        return cfg
    candidate = Path(base_dir) / p
    if candidate.is_file():
        return replace(cfg, network=replace(cfg.network, path=str(candidate)))
    return cfg


def _check_network(cfg: ModelConfig, where: str = "") -> None:
    """An edge-list file must exist (or be a built-in name) before anything runs."""
    if cfg.network.kind != "file" or not cfg.network.path:
        return
    from simnet.network import NetworkFileError, resolve_network_file

    try:
        resolve_network_file(cfg.network.path)
    except NetworkFileError as err:
        prefix = f"{where}: " if where else ""
        raise _err(f"{prefix}network.path: {err}") from None


def apply_overrides(base: ModelConfig, overrides: dict, where: str,
                    base_dir: str | None = None) -> ModelConfig:
    """``base`` with plain-named model parameters replaced, and custom strategies (the
    ``strategies`` key: name -> table) changed or added; validated.

    Values are given as in a TOML file (a list of tables for ``conduct_types``); any
    problem raises ConfigError prefixed with ``where``. ``STRATEGY.PARAMETER`` names a
    policy parameter of a custom strategy of ``base``.
    """
    data = copy.deepcopy(base.to_dict())
    for key, value in overrides.items():
        if "." in key:
            strategy, param = _strategy_param(key, base, where)
            data["strategies"][strategy][param] = value
            continue
        if key == "strategies":
            if not isinstance(value, dict):
                raise _err(f"{where}.strategies: expected a table of named strategies")
            for name, table in value.items():
                if not isinstance(table, dict):
                    raise _err(f"{where}.strategies.{name}: expected a table of policy "
                               f"parameters")
                existing = data["strategies"].get(name)
                if existing is not None and "base" not in table:
                    data["strategies"][name] = {**existing, **table}
                else:
                    data["strategies"][name] = dict(table)
            continue
        section = FIELD_SECTION.get(key)
        if section is None:
            hint = _did_you_mean(key, [*FIELD_SECTION, "strategies"])
            raise _err(f"{where}: unknown model parameter '{key}'{hint}")
        data.setdefault(section, {})[key] = value
    try:
        cfg = model_config_from_dict(data)
    except ConfigError as err:
        raise _err(f"{where}: {err}") from None
    except (TypeError, ValueError) as err:
        raise _err(f"{where}: {err}") from None
    cfg = _resolve_path(cfg, base_dir)
    if overrides:
        _check_network(cfg, where)
    return cfg


# --------------------------------------------------------------------------- sections

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


def _strategy_param(name: str, base: ModelConfig, where: str) -> tuple[str, str]:
    """(strategy, parameter) of a ``STRATEGY.PARAMETER`` name; ConfigError unless the
    strategy is a custom strategy of ``base`` and the parameter one of its policy's."""
    strategy, _, param = name.partition(".")
    customs = [s.name for s in base.strategies]
    if strategy in PRESET_NAMES:
        raise _err(f"{where}: {name}: the preset '{strategy}' cannot be changed; define "
                   f"[strategies.NAME] with base = '{strategy}', use NAME in "
                   f"population.strategy_mix, and vary NAME.{param}")
    if strategy not in customs:
        raise _err(f"{where}: {name}: no custom strategy '{strategy}'; define "
                   f"[strategies.{strategy}]{_did_you_mean(strategy, customs)}")
    allowed = [f.name for f in fields(StrategyParams) if f.name != "name"]
    if param not in allowed:
        raise _err(f"{where}: {name}: '{param}' is not a policy parameter"
                   f"{_did_you_mean(param, allowed)}; allowed: {', '.join(allowed)}")
    return strategy, param


def _cast(name: str, value: float) -> Any:
    """A sampled value in its field's type (whole numbers rounded, a switch on from 0.5)."""
    kind = _field_type(name)
    if kind.startswith("int"):
        return round(value)
    if kind.startswith("bool"):
        return bool(value >= 0.5)
    return float(value)


# --------------------------------------------------------------------------- Morris

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


def _parse_arms(table: dict, base: ModelConfig, base_dir: str | None) -> tuple[Arm, ...]:
    if not table:
        raise _err("[arms] is empty: add [arms.NAME] tables of overrides, or remove [arms]")
    arms = []
    for name, overrides in table.items():
        _plain_name("arms name", name)
        if not isinstance(overrides, dict):
            raise _err(f"arms.{name} = {overrides!r}: expected a table of model-parameter "
                       f"overrides ([arms.{name}])")
        model = apply_overrides(base, overrides, f"arms.{name}", base_dir)
        arms.append(Arm(name, copy.deepcopy(overrides), model))
    return tuple(arms)


def _parse_output(table: dict) -> OutputSpec:
    from simnet.metrics import GROUP_METRICS, MODEL_REPORTERS

    _check_keys("output", table, OUTPUT_KEYS)

    def names(key: str, known) -> tuple[str, ...] | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _err(f"output.{key} = {value!r}: expected a list of names")
        for v in value:
            if v not in known:
                raise _err(f"output.{key}: unknown name '{v}'{_did_you_mean(v, known)}; "
                           f"known: {', '.join(known)}")
        return tuple(value)

    metrics = names("metrics", GROUP_METRICS)
    model_metrics = names("model_metrics", MODEL_REPORTERS)
    tables = names("tables", TABLES)
    if tables is not None and not tables:
        raise _err("output.tables is empty: keep at least 'groups'")
    every = _whole("output.every", table.get("every", 1), 1, 1_000_000)
    ties_max = _whole("output.ties_max_agents", table.get("ties_max_agents", 2000), 0,
                      100_000_000)
    return OutputSpec(metrics, model_metrics, every, tables or TABLES, ties_max)


def _check_figures(plots: Any, varied: tuple[str, ...],
                   arms: tuple[str, ...] = ()) -> tuple[dict, ...]:
    from simnet.metrics import GROUP_METRICS, MODEL_REPORTERS

    if not isinstance(plots, dict):
        raise _err("[plots] must be a table holding [[plots.figure]] entries")
    _check_keys("plots", plots, ("figure",))
    figures = plots.get("figure", [])
    if not isinstance(figures, list):
        raise _err("plots.figure must be an array of tables: write [[plots.figure]]")
    from simnet.metric_registry import metrics_of

    derived = tuple(m.name for m in metrics_of("groups", ("derived",)))  # acceptance ...
    metrics = (*GROUP_METRICS, *MODEL_REPORTERS, *derived)
    axes = (*varied, "step", "arm")
    out = []
    for i, spec in enumerate(figures):
        where = f"plots.figure[{i}]"
        if not isinstance(spec, dict):
            raise _err(f"{where}: expected a table with a 'kind'")
        kind = spec.get("kind")
        if kind is None:
            raise _err(f"{where}.kind is required; allowed: {', '.join(FIGURE_KINDS)}")
        if kind not in FIGURE_KINDS:
            raise _err(f"{where}.kind = {kind!r}: allowed values are "
                       f"{', '.join(FIGURE_KINDS)}{_did_you_mean(str(kind), FIGURE_KINDS)}")
        _check_keys(where, spec, FIGURE_KEYS)
        for key, value in spec.items():
            if isinstance(value, bool) or not isinstance(value, FIGURE_KEYS[key]):
                kinds = " or ".join(t.__name__ for t in FIGURE_KEYS[key])
                raise _err(f"{where}.{key} = {value!r}: expected {kinds}")
        if "group_by" in spec and spec["group_by"] not in GROUP_BY:
            raise _err(f"{where}.group_by = {spec['group_by']!r}: allowed values are "
                       f"{', '.join(GROUP_BY)}")
        metric = spec.get("metric")
        if metric is not None:
            names = metric if isinstance(metric, list) else [metric]
            known = NEWS_METRICS if kind == "news_reach" else metrics
            for m in names:
                if not isinstance(m, str) or (kind != "weak_ties" and m not in known):
                    raise _err(f"{where}.metric: unknown metric {m!r}"
                               f"{_did_you_mean(str(m), known)}")
        for key in ("x", "y"):
            if key in spec and kind in ("outcomes", "differences", "heatmap") \
                    and spec[key] not in axes:
                raise _err(f"{where}.{key} = {spec[key]!r}: expected a varied parameter"
                           f" ({', '.join(varied) or 'none: add a [sweep]'}), 'step' or "
                           f"'arm'")
        _check_figure_values(where, kind, spec, arms)
        if kind == "heatmap" and len(varied) < 2 and not ("x" in spec and "y" in spec):
            raise _err(f"{where}: a heatmap needs two varied parameters in [sweep]")
        try:  # the plotting module's own checks, when it is there
            from simnet.plots.spec import check_figure_spec
        except ImportError:
            pass
        else:
            try:
                check_figure_spec(dict(spec), where=where)
            except ValueError as err:
                raise _err(str(err).splitlines()[0]) from None
        out.append(dict(spec))
    return tuple(out)


def _check_figure_values(where: str, kind: str, spec: dict, arms: tuple[str, ...]) -> None:
    """Values a figure kind cannot draw, refused now rather than skipped at plot time."""
    width = spec.get("width")
    if isinstance(width, str) and width not in FIGURE_WIDTHS:
        raise _err(f"{where}.width = {width!r}: expected 'single', 'double' or a width in "
                   f"inches")
    if _is_number(width) and not (FIGURE_MIN_INCHES <= width <= FIGURE_MAX_INCHES):
        raise _err(f"{where}.width = {width!r} is out of range: allowed "
                   f"[{FIGURE_MIN_INCHES}, {FIGURE_MAX_INCHES}] inches, 'single' or 'double'")
    if kind == "weak_ties" and "y" in spec and spec["y"] not in WEAK_TIES_Y:
        raise _err(f"{where}.y = {spec['y']!r}: a weak_ties figure shows "
                   f"{', '.join(WEAK_TIES_Y)}{_did_you_mean(str(spec['y']), WEAK_TIES_Y)}")
    if "between" in spec:
        if spec["between"] not in ("group", "arm"):
            raise _err(f"{where}.between = {spec['between']!r}: expected 'group' or 'arm'")
        if spec["between"] == "arm" and len(arms) < 2:
            raise _err(f"{where}.between = 'arm' needs at least two [arms.NAME] tables "
                       f"(the experiment has {len(arms) or 'none'})")
    compare = spec.get("compare")
    if compare is not None and (len(compare) != 2
                                or not all(isinstance(c, str) for c in compare)):
        raise _err(f"{where}.compare = {compare!r}: expected two names [a, b]")
    if compare is not None and spec.get("between") == "arm":
        for name in compare:
            if name not in arms:
                raise _err(f"{where}.compare: {name!r} is not an arm; arms: "
                           f"{', '.join(arms)}{_did_you_mean(name, arms)}")


def _check_quick(table: dict, sweep: Sweep) -> dict:
    allowed = (*QUICK_KEYS, *FIELD_SECTION)
    for key in table:
        if key not in allowed:
            raise _err(f"unknown key '{key}' in [quick]{_did_you_mean(key, allowed)}; "
                       f"allowed: steps, replications, samples, every, sweep or a model "
                       f"parameter")
    if "samples" in table and sweep.design in ("grid", "morris"):
        raise _err("quick.samples only applies to a sampled design (design = 'lhs' or "
                   "'sobol'); a Morris design takes quick.trajectories")
    if "trajectories" in table and sweep.design != "morris":
        raise _err("quick.trajectories only applies to design = 'morris'")
    if "sweep" in table and not isinstance(table["sweep"], dict):
        raise _err("[quick.sweep] must be a table")
    if "sweep" in table and not sweep.params:
        raise _err("[quick.sweep] given but the experiment has no [sweep]")
    return copy.deepcopy(table)


def _default_quick(exp: ExperimentConfig) -> dict:
    quick: dict[str, Any] = {"steps": min(exp.steps, DEFAULT_QUICK["steps"]),
                             "replications": min(exp.replications,
                                                 DEFAULT_QUICK["replications"])}
    if exp.model.network.kind != "file" and "n_agents" not in exp.varied:
        quick["n_agents"] = min(exp.model.population.n_agents, DEFAULT_QUICK["n_agents"])
    if exp.sweep.design == "morris":
        quick["trajectories"] = min(exp.sweep.trajectories, 4)
    elif exp.sweep.design != "grid":
        quick["samples"] = min(exp.sweep.samples, 4)
    return quick


def _apply_quick(exp: ExperimentConfig, table: dict) -> ExperimentConfig:
    """Rebuild ``exp`` at its quick size (raw tables re-validated under 'quick.')."""
    raw = exp.to_dict()
    raw.pop("quick", None)
    raw.pop("output", None)
    raw.pop("plots", None)
    if "steps" in table:
        raw["experiment"]["steps"] = table["steps"]
    if "replications" in table:
        raw["experiment"]["replications"] = table["replications"]
    model_overrides = {k: v for k, v in table.items() if k in FIELD_SECTION}
    sweep = dict(raw.get("sweep", {}))
    for key in ("samples", "trajectories"):
        if key in table:
            sweep[key] = table[key]
    for key, value in table.get("sweep", {}).items():
        if key == "bounds" and isinstance(value, dict) and isinstance(sweep.get("bounds"),
                                                                       dict):
            sweep["bounds"] = {**sweep["bounds"], **value}
        else:
            sweep[key] = value
    if sweep:
        raw["sweep"] = sweep
    try:
        base = apply_overrides(exp.model, model_overrides, "quick", exp.base_dir)
        for section in SECTIONS:
            raw.pop(section, None)
        raw.pop("strategies", None)
        raw.update(base.to_dict())
        output = replace(exp.output, every=_whole("quick.every", table["every"], 1,
                                                  1_000_000)) if "every" in table \
            else exp.output
        quick = _build_experiment(raw, exp.name, exp.base_dir, output=output,
                                  plots=exp.plots)
    except ConfigError as err:
        text = str(err)
        raise _err(text if text.startswith("quick") else f"quick: {text}") from None
    return replace(quick, quick=True, quick_table=table, source=exp.source,
                   description=exp.description)


# --------------------------------------------------------------------------- loading

def _build_experiment(data: dict, default_name: str, base_dir: str | None,
                      output: OutputSpec | None = None,
                      plots: tuple[dict, ...] | None = None) -> ExperimentConfig:
    for key in data:
        if key not in TOP_SECTIONS:
            raise _err(f"unknown section [{key}]{_did_you_mean(key, TOP_SECTIONS)}; "
                       f"allowed: {', '.join(TOP_SECTIONS)}")
    exp = _table(data, "experiment", "experiment")
    _check_keys("experiment", exp, EXPERIMENT_KEYS)
    seed = exp.get("seed", 0)
    if not _is_int(seed) or not 0 <= seed <= MAX_SEED:
        raise _err(f"experiment.seed = {seed!r}: expected a whole number in [0, 2**63 - 1]")
    steps = _whole("experiment.steps", exp.get("steps", 100), 1, 1_000_000)
    replications = _whole("experiment.replications", exp.get("replications", 1), 1, 100_000)
    name = _plain_name("experiment.name", exp.get("name", default_name))
    description = exp.get("description", "")
    if not isinstance(description, str):
        raise _err(f"experiment.description = {description!r}: expected a string")

    model_part = {k: v for k, v in data.items() if k in SECTIONS or k == "strategies"}
    model = model_config_from_dict(model_part)
    model = _resolve_path(model, base_dir)
    _check_network(model)

    sweep_table = _table(data, "sweep", "sweep")
    sweep = _parse_sweep(sweep_table, model, base_dir) if "sweep" in data else Sweep()
    arms: tuple[Arm, ...] = ()
    if "arms" in data:
        arms = _parse_arms(_table(data, "arms", "arms"), model, base_dir)
    for arm in arms:
        for param in sweep.params:
            if param in arm.overrides:
                raise _err(f"sweep.{param} is also set by arms.{arm.name}; vary it in one "
                           f"place only")
    baseline = exp.get("baseline")
    if baseline is not None:
        names = [a.name for a in arms]
        if not arms:
            raise _err("experiment.baseline needs [arms.NAME] tables to choose from")
        if baseline not in names:
            raise _err(f"experiment.baseline = {baseline!r}: not an arm; arms: "
                       f"{', '.join(names)}{_did_you_mean(str(baseline), names)}")
    if output is None:
        output = _parse_output(_table(data, "output", "output"))
    if plots is None:
        plots = _check_figures(data["plots"], sweep.params,
                               tuple(a.name for a in arms)) if "plots" in data else ()
    quick_table = None
    if "quick" in data:
        quick_table = _check_quick(_table(data, "quick", "quick"), sweep)
    return ExperimentConfig(
        name=name, model=model, seed=seed, steps=steps, description=description,
        replications=replications, sweep=sweep, arms=arms, baseline=baseline,
        output=output, plots=plots, quick_table=quick_table, base_dir=base_dir)


def experiment_from_dict(data: dict, default_name: str = "experiment",
                         base_dir: str | None = None) -> ExperimentConfig:
    """Validate a parsed experiment file and build its ExperimentConfig; its quick size
    is validated too, so ``--quick`` cannot fail later."""
    exp = _build_experiment(data, default_name, base_dir)
    exp.with_quick()
    return exp


def read_experiment_file(path: str | Path) -> dict:
    """Parse an experiment TOML file, refusing (ConfigError naming the file) anything that
    is not a small UTF-8 text file of sane depth: folders, devices, FIFOs and sockets
    (never opened, so never blocked on), files over ``MAX_FILE_BYTES``, binary or non-UTF-8
    contents and nesting deeper than ``MAX_NESTING``."""
    import os
    import stat
    import tomllib

    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _err(f"{path}: no such file") from None
    except OSError as err:
        raise _err(f"{path}: cannot read: {err.strerror or err}") from None
    if stat.S_ISDIR(st.st_mode):
        raise _err(f"{path}: is a folder; expected an experiment .toml file")
    if not stat.S_ISREG(st.st_mode):
        raise _err(f"{path}: not a regular file (a device, FIFO or socket); expected an "
                   f"experiment .toml file")
    if st.st_size > MAX_FILE_BYTES:
        raise _err(f"{path}: {st.st_size} bytes, too big for an experiment file (at most "
                   f"{MAX_FILE_BYTES})")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise _err(f"{path}: cannot read: {err.strerror or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _err(f"{path}: too big for an experiment file (at most {MAX_FILE_BYTES} bytes)")
    if b"\x00" in data:
        raise _err(f"{path}: a binary file, not an experiment TOML file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise _err(f"{path}: line {line}: not UTF-8 text; expected an experiment TOML file"
                   ) from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _err(f"{path}: malformed TOML: {err}") from None
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise _err(f"{path}: nested too deeply (at most {MAX_NESTING} levels)") from None
    if _nesting(parsed) > MAX_NESTING:
        raise _err(f"{path}: nested too deeply (at most {MAX_NESTING} levels)")
    return parsed


def _nesting(value: Any) -> int:
    """Nesting depth of parsed TOML, up to just past ``MAX_NESTING`` (iterative, so deep
    dotted keys cannot overflow the stack here or in later recursive code)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            return depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def load_experiment(path: str | Path, quick: bool = False) -> ExperimentConfig:
    """Read, validate and resolve an experiment TOML file (at its quick size if asked)."""
    path = Path(path)
    exp = experiment_from_dict(read_experiment_file(path), default_name=path.stem,
                               base_dir=str(path.resolve().parent))
    exp = replace(exp, source=str(path))
    return exp.with_quick() if quick else exp
