"""The yardstick: a plain Mesa + networkx implementation of simnet's core, for benchmarks.

``benchmarks/model.py`` times simnet's whole model against this, step for step, in the
same process. It is the straightforward way to write the model with the usual tools: one
``mesa.Agent`` per professional, a ``networkx.Graph`` of ties with a ``strength`` attribute,
a Python dict of Beta evidence counts per agent, and Python loops. Same defaults as
:class:`simnet.config.ModelConfig` (small-world start, interaction rate 0.3, word of mouth
``share_good`` 0.5 / ``share_bad`` 1.0, ``decay_good`` 0.8 / ``decay_bad`` 1.0, ``fanout``
15, ``max_hops`` 3, ``min_weight`` 0.05, ``retell_max`` as simnet's default, forgetting
0.99, ``min_evidence`` 0.25).

What one step does:

1. *Interactions* (``agents.shuffle_do("step")``): each agent goes through its ties to
   agents with a larger id (so each tie once); a tie is used with probability
   ``interaction_rate * strength``; each side behaves well with its conduct as
   probability, the other side records what it saw in its evidence dict, the tie is
   strengthened or weakened, and each observation becomes a piece of news.
2. *Word of mouth*, one hop per step, each piece of news counted once per hearer: the news
   witnessed last step starts at its witness; a holder tells each contact with
   probability ``share`` (scaled by ``fanout / degree`` above ``fanout`` contacts); the
   contact hears ``weight * strength * decay`` unless it already heard this piece (a set
   per piece, which starts with the witness and the subject), keeps the heaviest copy, and
   passes it on next step until ``max_hops`` or below ``min_weight``; each hearer passes
   on at most ``RETELL_MAX`` of the pieces it heard this step, bad news first, then at
   random.
3. *Forgetting*: every agent multiplies its evidence by the forgetting factor and drops
   entries below ``min_evidence``.

What it leaves out (all of which simnet does, so the comparison flatters the yardstick):
connection requests and new ties, tie decay and pruning (ties here never drop), the
strategies, introductions and opportunities, the bounded memory (its evidence dicts grow
without limit), the news trace, and every metric and data collection.
"""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np

INTERACTION_RATE, GAIN, LOSS = 0.3, 0.1, 0.2
SHARE = {False: 0.5, True: 1.0}
DECAY = {False: 0.8, True: 1.0}
FANOUT, MAX_HOPS, MIN_WEIGHT = 15.0, 3, 0.05
FORGETTING, MIN_EVIDENCE = 0.99, 0.25
RETELL_MAX = 20


class Person(mesa.Agent):
    """A professional: latent conduct (probability of behaving well) and evidence dict
    {other agent's node: [good, bad]} (floats)."""

    def __init__(self, model: YardstickModel, node: int, conduct: float):
        super().__init__(model)
        self.node = node  # its node in the graph (Mesa's unique_id starts at 1)
        self.conduct = conduct
        self.evidence: dict[int, list[float]] = {}

    def record(self, subject: int, bad: bool, amount: float) -> None:
        counts = self.evidence.setdefault(subject, [0.0, 0.0])
        counts[1 if bad else 0] += amount

    def step(self) -> None:
        """Use this agent's ties to agents with a larger id (each tie once)."""
        model, graph, rnd = self.model, self.model.graph, self.random
        me = self.node
        for other, data in graph.adj[me].items():
            if other < me or rnd.random() >= INTERACTION_RATE * data["strength"]:
                continue
            them = model.people[other]
            my_bad = rnd.random() >= self.conduct
            their_bad = rnd.random() >= them.conduct
            them.record(me, my_bad, 1.0)
            self.record(other, their_bad, 1.0)
            model.fresh.append((other, me, my_bad))
            model.fresh.append((me, other, their_bad))
            s = data["strength"]
            n_bad = my_bad + their_bad
            s = s + GAIN * (1.0 - s) if n_bad == 0 else s - LOSS * n_bad
            data["strength"] = min(1.0, max(0.01, s))  # ties never drop here

    def forget(self) -> None:
        kept = {}
        for subject, (good, bad) in self.evidence.items():
            good, bad = good * FORGETTING, bad * FORGETTING
            if good + bad >= MIN_EVIDENCE:
                kept[subject] = [good, bad]
        self.evidence = kept


class YardstickModel(mesa.Model):
    """``n`` agents on a Watts-Strogatz graph of mean degree ``mean_degree`` (rewiring 0.1),
    tie strengths Beta(2, 2), conduct Beta(9, 1) for 85% and Beta(3.5, 6.5) for 15%."""

    def __init__(self, n: int, mean_degree: int = 20, seed: int = 1):
        super().__init__(seed=seed)
        gen = np.random.default_rng(seed)
        self.graph = nx.watts_strogatz_graph(n, mean_degree, 0.1, seed=seed)
        for _, _, data in self.graph.edges(data=True):
            data["strength"] = float(np.clip(gen.beta(2.0, 2.0), 0.01, 1.0))
        bad = gen.random(n) < 0.15
        conduct = np.where(bad, gen.beta(3.5, 6.5, n), gen.beta(9.0, 1.0, n))
        self.people = [Person(self, node, float(c)) for node, c in enumerate(conduct)]
        self.fresh: list[tuple[int, int, bool]] = []   # (witness, subject, is_bad) this step
        self.events: list[dict] = []  # pieces of news in flight

    def step(self) -> None:
        witnessed, self.fresh = self.fresh, []
        self.agents.shuffle_do("step")
        self.word_of_mouth(witnessed)
        self.agents.do("forget")

    def word_of_mouth(self, witnessed) -> None:
        """Start last step's news at its witnesses, then move every piece one hop."""
        for witness, subject, bad in witnessed:
            self.events.append({"subject": subject, "bad": bad, "hops": 0,
                                "visited": {witness, subject}, "frontier": {witness: 1.0}})
        graph, rnd, alive = self.graph, self.random, []
        for event in self.events:
            bad, visited = event["bad"], event["visited"]
            share, decay = SHARE[bad], DECAY[bad]
            offers: dict[int, float] = {}
            for holder, weight in event["frontier"].items():
                told = share * min(1.0, FANOUT / max(1, graph.degree[holder]))
                for contact, data in graph.adj[holder].items():
                    if contact in visited or rnd.random() >= told:
                        continue
                    x = weight * data["strength"] * decay
                    if x >= MIN_WEIGHT and x > offers.get(contact, 0.0):
                        offers[contact] = x
            subject = event["subject"]
            for contact, x in offers.items():
                self.people[contact].record(subject, bad, x)
                visited.add(contact)
            event["hops"] += 1
            event["frontier"] = offers
            if offers and event["hops"] < MAX_HOPS:
                alive.append(event)
        self.events = self.retell_budget(alive)

    def retell_budget(self, events: list[dict]) -> list[dict]:
        """Each hearer keeps at most ``RETELL_MAX`` pieces to pass on: bad news first,
        then at random; the events left with nobody to pass them on are dropped."""
        heard: dict[int, list[tuple[bool, float, int]]] = {}
        for i, event in enumerate(events):
            for contact in event["frontier"]:
                heard.setdefault(contact, []).append((not event["bad"], self.random.random(),
                                                      i))
        for contact, pieces in heard.items():
            if len(pieces) > RETELL_MAX:
                for _, _, i in sorted(pieces)[RETELL_MAX:]:
                    del events[i]["frontier"][contact]
        return [event for event in events if event["frontier"]]

    def evidence_entries(self) -> int:
        """Evidence entries held, all agents together."""
        return sum(len(p.evidence) for p in self.people)
