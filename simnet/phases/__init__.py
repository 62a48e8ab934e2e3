"""The five phases of one step, each a function of a :class:`simnet.world.World`."""

from simnet.phases.interactions import interactions_phase
from simnet.phases.maintenance import maintenance_phase
from simnet.phases.opportunities import opportunities_phase
from simnet.phases.requests import requests_phase
from simnet.phases.word_of_mouth import trace_phase, word_of_mouth_phase

__all__ = ["interactions_phase", "maintenance_phase", "opportunities_phase", "requests_phase",
           "trace_phase", "word_of_mouth_phase"]
