"""Selective networking: quality over quantity."""

from simnet.config import PRESET_PARAMS
from simnet.strategies.base import Strategy


class SelectiveNetworker(Strategy):
    """The selective networker: sends a few requests with a personal note to friends of
    friends, accepts only people it knows or who share mutual connections and clear its
    reputation bar, refuses canned requests from strangers, is picky about introductions and
    prunes ties that stay weak (seed 002: "fortify" your network and only connect with people
    you know; seed 004: a canned request from a stranger is refused)."""

    default_params = PRESET_PARAMS["selective"]
