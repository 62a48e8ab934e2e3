"""Phase 1: connection requests, and their acceptance by the receiver's strategy."""

from __future__ import annotations

import numpy as np

from simnet.kernels import count_common_neighbors
from simnet.strategies import RequestBatch
from simnet.ties import random_neighbor


def draw_requests(world) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each strategy decides how many requests its agents send and of what kind.

    Returns ``sender`` int64[k], ``target`` int64[k] and ``canned`` bool[k]. Triadic
    requests go to a random friend of a random friend (triadic closure); a sender with no
    ties, or a request to a stranger, picks a uniformly random agent.
    """
    rng, csr = world.rng, world.ties.csr()
    senders, strangers, canned = [], [], []
    for i, strategy in enumerate(world.strategies):
        members = world.members(i)
        if members.size == 0:
            continue
        counts = strategy.request_counts(rng, members.size)
        sender = np.repeat(members, counts)
        to_stranger, is_canned = strategy.request_kinds(rng, sender.size)
        senders.append(sender)
        strangers.append(to_stranger)
        canned.append(is_canned)
    if not senders:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0, bool)
    sender = np.concatenate(senders)
    to_stranger = np.concatenate(strangers)
    canned = np.concatenate(canned)
    friend = random_neighbor(csr, sender, rng)
    friend_of_friend = random_neighbor(csr, np.maximum(friend, 0), rng)
    stranger = rng.integers(0, world.n, sender.size)
    use_stranger = to_stranger | (friend < 0) | (friend_of_friend < 0)
    target = np.where(use_stranger, stranger, friend_of_friend)
    return sender, target, canned


def requests_phase(world) -> None:
    """Send requests, let receivers decide in bulk by strategy, add accepted ties.

    A canned request is a bad interaction for its receiver: seen evidence about the sender,
    counted as spam received, and news for word of mouth.
    """
    sender, target, canned = draw_requests(world)
    valid = (sender != target) & (world.ties.find(sender, target) < 0)
    # One request per pair per step: a repeated pair keeps its first draw.
    pair = np.minimum(sender, target) * world.n + np.maximum(sender, target)
    _, first = np.unique(pair, return_index=True)
    once = np.zeros(sender.size, dtype=bool)
    once[first] = True
    keep = valid & once
    sender, target, canned = sender[keep], target[keep], canned[keep]
    c, cfg = world.counters, world.cfg
    np.add.at(c["requests_sent"], sender, 1.0)

    # The receiver's view of the sender, before the request itself is held against them.
    csr = world.ties.csr()
    reputation, seen = world.perceived_and_seen(target, sender)
    mutual = count_common_neighbors(csr.indptr, csr.indices, sender.astype(np.int32),
                                    target.astype(np.int32))
    accepted = np.zeros(sender.size, dtype=bool)
    for strategy, where in world.by_strategy(target):
        batch = RequestBatch(reputation[where], mutual[where], seen[where], canned[where])
        accepted[where] = strategy.accept(batch)

    spam_to, spam_from = target[canned], sender[canned]
    np.add.at(c["spam_received"], spam_to, 1.0)
    # A refused canned request costs its receiver a moment; an accepted one lets the sender in.
    np.add.at(c["bad_suffered"], spam_to,
              np.where(accepted[canned], 1.0, cfg.evidence.refused_spam_harm))
    world.record_seen(spam_to, spam_from, np.ones(spam_to.size, dtype=bool),
                      cfg.evidence.spam_evidence)

    strength = np.where(canned, cfg.ties.cold_tie_strength, cfg.ties.note_tie_strength)
    made = world.ties.add(sender[accepted], target[accepted], strength[accepted], world.step)
    np.add.at(c["requests_accepted"], sender[accepted][made], 1.0)
    world.last_step_stats.update(requests=float(sender.size), accepted=float(made.sum()),
                                 spam=float(canned.sum()))
