"""The strategy registry: preset classes by name, and resolution of a model's strategies."""

from __future__ import annotations

from dataclasses import replace

from simnet.config import PRESET_NAMES, ModelConfig, StrategyParams
from simnet.strategies.base import Strategy
from simnet.strategies.connector import Connector
from simnet.strategies.open import OpenNetworker, Recruiter
from simnet.strategies.selective import SelectiveNetworker
from simnet.strategies.spammer import Spammer

REGISTRY: dict[str, type[Strategy]] = {
    "open": OpenNetworker,
    "selective": SelectiveNetworker,
    "recruiter": Recruiter,
    "connector": Connector,
    "spammer": Spammer,
}
assert tuple(REGISTRY) == PRESET_NAMES


def register(name: str, cls: type[Strategy]) -> None:
    """Make a Strategy subclass available by name (it needs ``default_params``)."""
    if not hasattr(cls, "default_params"):
        raise TypeError(f"{cls.__name__} needs a default_params attribute")
    REGISTRY[name] = cls


def make(name: str, params: StrategyParams | None = None) -> Strategy:
    """Instantiate the registered strategy ``name`` (with its preset parameters by default)."""
    cls = REGISTRY[name]
    return cls(params if params is not None else replace(cls.default_params, name=name))


def resolve(cfg: ModelConfig) -> list[Strategy]:
    """All strategies a model needs: the presets, then the configuration's custom ones."""
    strategies = [make(name) for name in REGISTRY]
    strategies += [Strategy(params) for params in cfg.strategies]
    return strategies
