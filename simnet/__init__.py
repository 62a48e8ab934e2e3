"""simnet: how reputation spreads through professional networks (an agent-based model)."""

from simnet.agents import Professional
from simnet.config import ConfigError, ModelConfig
from simnet.experiment import ExperimentConfig, load_experiment
from simnet.model import ReputationModel
from simnet.world import Layout

__all__ = ["ConfigError", "ExperimentConfig", "Layout", "ModelConfig", "Professional",
           "ReputationModel", "load_experiment"]
__version__ = "0.1.0"
