"""The spammer: mass canned requests, a bad-actor behaviour."""

from simnet.config import PRESET_PARAMS
from simnet.strategies.base import Strategy


class Spammer(Strategy):
    """The mass requester: sends many canned requests to strangers and never introduces
    anyone (seed 000 story 3: a search firm's automated "Dear Peter J." requests; seed 004:
    a canned connection request from a stranger). Every canned request is a bad interaction
    for its receiver."""

    default_params = PRESET_PARAMS["spammer"]
