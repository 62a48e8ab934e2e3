"""Professional: a Mesa agent that is a thin handle onto the model's arrays."""

from __future__ import annotations

import mesa
import numpy as np


class Professional(mesa.Agent):
    """One professional. Its state lives in ``model.world`` arrays at ``self.index``;
    these properties read it, so Mesa's tools work while the hot loops stay vectorised."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def _world(self):
        return self.model.world

    @property
    def strategy(self) -> str:
        """Name of the agent's networking strategy."""
        return self._world.strategy_names[self._world.strategy_id[self.index]]

    @property
    def conduct(self) -> float:
        """Latent probability that an interaction with this agent goes well."""
        return float(self._world.conduct[self.index])

    @property
    def conduct_type(self) -> str:
        return self._world.conduct_names[self._world.conduct_type[self.index]]

    @property
    def is_bad_actor(self) -> bool:
        return bool(self._world.is_bad[self.index])

    @property
    def seeking(self) -> bool:
        return bool(self._world.seeking[self.index])

    @property
    def degree(self) -> int:
        return int(self._world.ties.degree()[self.index])

    @property
    def neighbor_indices(self) -> np.ndarray:
        """int32[degree]: indices of the agents this one is tied to."""
        csr = self._world.ties.csr()
        return csr.indices[csr.indptr[self.index]:csr.indptr[self.index + 1]]

    @property
    def neighbors(self) -> list[Professional]:
        """The Professional handles of this agent's ties."""
        return [self.model.professionals[i] for i in self.neighbor_indices]

    @property
    def reputation(self) -> float:
        """Mean perceived reputation among agents holding evidence (NaN if none)."""
        return float(self._world.reputation_summary()[1][self.index])

    def reputation_seen_by(self, viewer: int) -> float:
        """The perceived reputation of this agent held by agent index ``viewer``."""
        return float(self._world.perceived(np.array([viewer]), np.array([self.index]))[0])

    @property
    def opportunities_won(self) -> int:
        c = self._world.counters
        i = self.index
        return int(c["opps_direct"][i] + c["opps_introduction"][i] + c["opps_cold"][i]
                   + c["opps_lead"][i])

    def __repr__(self) -> str:
        return f"Professional({self.index}, {self.strategy}, conduct={self.conduct:.2f})"
