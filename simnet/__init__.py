"""simnet: how reputation spreads through professional networks (an agent-based model).

The public names below are imported on first use (module ``__getattr__``, PEP 562), so
``import simnet`` and the ``simnet`` command do not pay for Mesa, pandas, scipy and Numba
until a model is built.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

# As simnet.kernels does (see there): idle OpenMP workers sleep rather than spin. Set here
# too, because the kernels are now imported later, and a program that starts Numba's
# threads first (numba.get_num_threads()) would otherwise get spinning workers, which made
# steps up to 30x slower on a busy machine. A user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

if TYPE_CHECKING:
    from simnet.agents import Professional
    from simnet.config import ConfigError, ModelConfig
    from simnet.experiment import ExperimentConfig, load_experiment
    from simnet.model import ReputationModel
    from simnet.world import Layout

# public name -> the module that defines it
_LAZY = {"ConfigError": "simnet.config", "ModelConfig": "simnet.config",
         "ExperimentConfig": "simnet.experiment", "load_experiment": "simnet.experiment",
         "Layout": "simnet.world", "Professional": "simnet.agents",
         "ReputationModel": "simnet.model"}

__all__ = ["ConfigError", "ExperimentConfig", "Layout", "ModelConfig", "Professional",
           "ReputationModel", "load_experiment"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'simnet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
