"""A whole experiment: :class:`ExperimentConfig`, built and validated from the tables of
a file (:func:`experiment_from_dict`), and its ``--quick`` size.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from simnet.config import (
    FIELD_SECTION,
    SECTIONS,
    ConfigError,
    ModelConfig,
    _did_you_mean,
    model_config_from_dict,
)
from simnet.experiment.checks import (
    _check_keys,
    _check_network,
    _err,
    _is_int,
    _plain_name,
    _resolve_path,
    _table,
    _whole,
    apply_overrides,
)
from simnet.experiment.designs import (
    _parse_sweep,
)
from simnet.experiment.schema import (
    DEFAULT_QUICK,
    EXPERIMENT_KEYS,
    MAX_SEED,
    TOP_SECTIONS,
    Arm,
    OutputSpec,
    Sweep,
    _jsonable,
)
from simnet.experiment.sections import (
    _check_figures,
    _check_quick,
    _parse_arms,
    _parse_output,
)


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
