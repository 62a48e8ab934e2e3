"""Phase 5: ties decay without contact, strategies prune weak ties, evidence ages."""

from __future__ import annotations

import numpy as np


def maintenance_phase(world) -> None:
    """Decay, prune, forget, and note when the network has found out each bad actor.

    A tie not used this step loses ``tie_decay`` strength and is dropped at zero (it faded).
    A tie is pruned when either end's strategy prunes it. Evidence is multiplied by the
    forgetting factor and tiny remainders are dropped. A bad actor counts as found out the
    first step most of its contacts perceive it below 0.5.
    """
    ties, cfg, c = world.ties, world.cfg, world.counters
    idle = ties.last_contact < world.step
    ties.strength[idle] -= cfg.ties.tie_decay
    faded = ties.strength <= 0.0
    prune = np.zeros(len(ties), dtype=bool)
    for end in (ties.u, ties.v):
        for strategy, where in world.by_strategy(end):
            prune[where] |= strategy.prune(ties.strength[where])
    drop = faded | prune
    np.add.at(c["ties_faded"], ties.u[faded], 1.0)
    np.add.at(c["ties_faded"], ties.v[faded], 1.0)
    ties.remove(drop)
    ties.strengths_changed()
    world.last_step_stats.update(faded=float(faded.sum()), pruned=float((prune & ~faded).sum()))

    world.evidence.forget(cfg.evidence.forgetting, cfg.evidence.min_evidence)

    found = world.is_bad & (world.detected_step < 0) & world.contacts_think_badly()
    world.detected_step[found] = world.step
