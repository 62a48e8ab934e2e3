"""The connector: introduces a lot."""

from simnet.config import PRESET_PARAMS
from simnet.strategies.base import Strategy


class Connector(Strategy):
    """The power connector: knows many people and introduces eagerly, with a low bar for
    whom it vouches for (seed 003: "eager to refer people I shouldn't"; after Ferrazzi's
    power connectors). Bad introductions cost it relationship capital."""

    default_params = PRESET_PARAMS["connector"]
