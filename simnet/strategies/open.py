"""Open networking: accept everyone."""

from simnet.config import PRESET_PARAMS
from simnet.strategies.base import Strategy


class OpenNetworker(Strategy):
    """The open networker ("LION"): accepts every request and sends many, mostly to
    strangers, some canned (seed 001: "Sure I do. Why would I not?"; relationships that
    grew from open invitations brought most of the author's projects)."""

    default_params = PRESET_PARAMS["open"]


class Recruiter(Strategy):
    """The recruiter: connects as widely as possible to see second-degree profiles,
    often with canned requests, and accepts everyone (seed 002: recruiters "need to be able
    to see as many full profiles as they can")."""

    default_params = PRESET_PARAMS["recruiter"]
