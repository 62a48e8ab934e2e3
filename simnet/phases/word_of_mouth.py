"""Phase 3: word of mouth, one hop per step, through the diffusion kernel."""

from __future__ import annotations

import numpy as np

from simnet.kernels import propagate_step


def word_of_mouth_phase(world) -> None:
    """Pass news one hop along the ties and add what each agent heard to its evidence.

    The frontier is the news still in flight plus the news witnessed during the previous
    step (fresh, hops 0, no sender), so news first reaches a witness's neighbours the step
    after it happened and travels one hop further each step. Weights multiply tie strength
    and the good or bad decay; the kernel drops news below ``min_weight`` and stops after
    ``max_hops``, and (echo rule) never returns news to its sender or tells its subject.
    """
    wom = world.cfg.word_of_mouth
    witness, subject, is_bad, weight = world.news_previous.arrays()
    holder0, sender0, subject0, bad0, weight0, hops0 = world.in_flight
    holder = np.concatenate([holder0, witness]).astype(np.int32)
    sender = np.concatenate([sender0, np.full(witness.size, -1, np.int32)]).astype(np.int32)
    subject = np.concatenate([subject0, subject]).astype(np.int32)
    is_bad = np.concatenate([bad0, is_bad]).astype(np.bool_)
    weight = np.concatenate([weight0, weight]).astype(np.float64)
    hops = np.concatenate([hops0, np.zeros(witness.size, np.int32)]).astype(np.int32)
    if wom.max_hops == 0 or holder.size == 0:
        world.in_flight = (holder[:0], sender[:0], subject[:0], is_bad[:0], weight[:0],
                           hops[:0])
        world.last_step_stats.update(heard=0.0, in_flight=0.0)
        return
    csr = world.ties.csr()
    out = propagate_step(csr.indptr, csr.indices, csr.strength, holder, sender, subject,
                         is_bad, weight, hops, wom.decay_good, wom.decay_bad, wom.max_hops,
                         wom.min_weight, wom.echo_rule)
    viewer, heard_subject, heard_good, heard_bad = out[:4]
    world.evidence.add(viewer, heard_subject, heard_good, heard_bad, heard=True)
    world.in_flight = tuple(out[4:])
    world.last_step_stats.update(heard=float(viewer.size), in_flight=float(out[4].size))
