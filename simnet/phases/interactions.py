"""Phase 2: interactions along ties, in proportion to tie strength."""

from __future__ import annotations

import numpy as np


def interactions_phase(world) -> None:
    """Use ties, record what each side saw, and strengthen or weaken the tie.

    A tie of strength s is used this step with probability ``interaction_rate * s``. Each
    side behaves well with its own conduct as probability; the other side records it as
    seen evidence (weight 1) and it becomes news. Good on both sides: s += gain * (1 - s);
    each bad side: s -= loss. A tie at or below zero is dropped (a burned bridge).
    """
    rng, ties, cfg = world.rng, world.ties, world.cfg.ties
    used = np.flatnonzero(rng.random(len(ties)) < cfg.interaction_rate * ties.strength)
    a = ties.u[used].astype(np.int64)
    b = ties.v[used].astype(np.int64)
    a_good = rng.random(used.size) < world.conduct[a]
    b_good = rng.random(used.size) < world.conduct[b]
    # Each side's behaviour is evidence for the other side.
    world.record_seen(np.concatenate([b, a]), np.concatenate([a, b]),
                      ~np.concatenate([a_good, b_good]), 1.0)
    c = world.counters
    np.add.at(c["bad_suffered"], b, ~a_good)
    np.add.at(c["bad_suffered"], a, ~b_good)
    np.add.at(c["interactions"], a, 1.0)
    np.add.at(c["interactions"], b, 1.0)

    n_bad = (~a_good).astype(np.int64) + (~b_good)
    s = ties.strength[used]
    ties.strength[used] = np.where(n_bad == 0, s + cfg.strength_gain * (1.0 - s),
                                   s - cfg.strength_loss * n_bad)
    ties.strength[used] = np.minimum(ties.strength[used], 1.0)
    ties.last_contact[used] = world.step
    burned = world.drop_burned_ties()
    world.last_step_stats.update(interactions=float(used.size),
                                 bad_interactions=float((~a_good).sum() + (~b_good).sum()),
                                 burned=float(burned))
