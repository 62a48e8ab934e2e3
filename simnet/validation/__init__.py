"""Checks of simnet against real data: word of mouth predicting real reputations.

``simnet validate bitcoin_otc`` (:func:`simnet.validation.run.run_validation`) holds out
ratings of the Bitcoin OTC trust network (Kumar, Spezzano, Subrahmanian and Faloutsos,
ICDM 2016), predicts each held-out rating from the others with simnet's own evidence store
and word-of-mouth kernel, and scores it side by side with the methods the literature uses.

- :mod:`simnet.validation.otc`: the shipped ratings (checksum verified on read) and the
  random and time splits;
- :mod:`simnet.validation.baselines`: global mean, pooled Beta reputation, the rater's
  own past ratings, EigenTrust, Fairness and Goodness;
- :mod:`simnet.validation.predict`: the rater's perceived reputation of the ratee, heard by
  word of mouth (:class:`simnet.news.NewsInFlight`, :func:`simnet.kernels.spread_events`)
  and held in an :class:`simnet.evidence.EvidenceStore`;
- :mod:`simnet.validation.scoring`: ROC AUC, log loss, RMSE, Pearson, and the mappings
  from a score to a probability or a rating fitted on a validation split;
- :mod:`simnet.validation.calibrate`: the sweep over the word-of-mouth parameters;
- :mod:`simnet.validation.run`: the whole comparison, its table and its figure.

Nothing here is imported by ``import simnet``; submodules import pandas and scipy lazily
or at their top, so import them only when validating.
"""
