"""Experiment files: a validated model configuration plus how to run it.

An experiment TOML file has an ``[experiment]`` table (name, description, seed, steps) and
the model sections of :mod:`simnet.config` (``[population]``, ``[network]`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from simnet.config import (
    SECTIONS,
    ConfigError,
    ModelConfig,
    _did_you_mean,
    model_config_from_dict,
    read_toml,
)


@dataclass(frozen=True)
class ExperimentConfig:
    """One experiment file: what to run (a model configuration), for how long, with what seed."""

    name: str
    model: ModelConfig
    seed: int = 0
    steps: int = 100
    description: str = ""
    source: str | None = None  # the file it came from

    def to_dict(self) -> dict:
        return {"experiment": {"name": self.name, "description": self.description,
                               "seed": self.seed, "steps": self.steps},
                **self.model.to_dict()}


EXPERIMENT_KEYS = {"name", "description", "seed", "steps"}


def experiment_from_dict(data: dict, default_name: str = "experiment") -> ExperimentConfig:
    """Validate a parsed experiment file and build its ExperimentConfig."""
    top_allowed = {"experiment", "strategies", *SECTIONS}
    for key in data:
        if key not in top_allowed:
            raise ConfigError(f"unknown section [{key}]{_did_you_mean(key, top_allowed)}; "
                              f"allowed: {', '.join(sorted(top_allowed))}")
    exp = data.get("experiment", {})
    if not isinstance(exp, dict):
        raise ConfigError("[experiment] must be a table")
    for key in exp:
        if key not in EXPERIMENT_KEYS:
            raise ConfigError(f"unknown key '{key}' in [experiment]"
                              f"{_did_you_mean(key, EXPERIMENT_KEYS)}")
    seed = exp.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"experiment.seed = {seed!r}: expected a whole number >= 0")
    steps = exp.get("steps", 100)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 1_000_000:
        raise ConfigError(f"experiment.steps = {steps!r} is out of range: allowed [1, 1000000]")
    name = exp.get("name", default_name)
    if not isinstance(name, str) or not name or any(c in name for c in "/\\"):
        raise ConfigError(f"experiment.name = {name!r}: expected a plain name")
    model = model_config_from_dict({k: v for k, v in data.items() if k != "experiment"})
    return ExperimentConfig(name=name, model=model, seed=seed, steps=steps,
                            description=str(exp.get("description", "")))


def load_experiment(path: str | Path) -> ExperimentConfig:
    """Read, validate and resolve an experiment TOML file."""
    path = Path(path)
    exp = experiment_from_dict(read_toml(path), default_name=path.stem)
    return replace(exp, source=str(path))
