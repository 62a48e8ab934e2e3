"""Networking strategies: one module per family, and a registry."""

from simnet.strategies.base import IntroductionBatch, RequestBatch, Strategy
from simnet.strategies.registry import REGISTRY, make, register, resolve

__all__ = ["REGISTRY", "IntroductionBatch", "RequestBatch", "Strategy", "make", "register",
           "resolve"]
