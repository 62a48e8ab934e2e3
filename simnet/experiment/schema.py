"""The experiment schema: the names, keys and limits an experiment file may use, and the
parts of a resolved experiment (:class:`Sweep`, :class:`OutputSpec`, :class:`Arm`).

The file format itself is described in :mod:`simnet.experiment` and ``docs/experiments.md``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from simnet import metric_registry
from simnet.config import (
    SECTIONS,
    ModelConfig,
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

def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
