"""``simnet validate bitcoin_otc``: the whole comparison, its table and its figure.

Protocol (no held-out rating is ever used to predict, nor to fit anything):

1. **Splits.** ``random``: a uniformly random 15% of the ratings held out, repeated with
   ``splits`` independent seeds (3; 2 with ``--quick``; the confidence intervals are
   across them);
   ``time``: the last 20% of the ratings in time held out (the intervals are across five
   consecutive blocks of that period).
2. **Validation split.** The training ratings are split once more the same way (a random
   15%, or their last 20% in time). Every method's score on these validation pairs,
   computed from the rest of the training ratings, fits its two small mappings (Platt
   scaling for the log loss, a line for the weight; :mod:`simnet.validation.scoring`), and
   the word-of-mouth grid (:mod:`simnet.validation.calibrate`) is scored on them.
3. **Test.** Every method scores the test pairs from all training ratings; word of mouth
   runs once with the model's defaults and once with the best validation point (with and
   without negativity bias). "Beta pooled + word of mouth" is a logistic regression on the
   two scores fitted on the validation pairs: does word of mouth add to the platform score?

Writes into the output folder (each file atomically): ``table.csv`` (one row per split
kind and method: mean and 95% CI of AUC, log loss, RMSE and Pearson), ``scores.csv`` (the
measures per split or block), ``calibration.csv`` (every grid point's validation scores per
split), ``fitted.json`` (the best parameters per split and their consensus), and
``figure.png``/``figure.pdf``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from simnet.validation import baselines, calibrate, predict, scoring
from simnet.validation.otc import (
    Ratings,
    ValidationError,
    load_ratings,
    random_split,
    time_blocks,
    time_split,
)

TEST_SHARE = {"random": 0.15, "time": 0.2}
TIME_BLOCKS = 5
WOM_DEFAULT = "word of mouth (defaults)"
WOM_FITTED = "word of mouth (fitted)"
WOM_NO_BIAS = "word of mouth (fitted, no neg. bias)"
COMBINED = "Beta pooled + word of mouth"
METHODS = (*baselines.BASELINES, WOM_DEFAULT, WOM_FITTED, WOM_NO_BIAS, COMBINED)
# what the fitted word of mouth is compared with, pair by pair
COMPARED = ("global mean", "Beta pooled", "Fairness-Goodness", WOM_DEFAULT)
COMBINES = ("Beta pooled", WOM_FITTED)
MEASURES = ("auc", "log_loss", "rmse", "pearson")
# --quick: the first QUICK_SHARE of the ratings in time, fewer splits, a smaller grid
QUICK_SHARE = 0.5


def _split(kind: str, m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if kind == "random":
        return random_split(m, TEST_SHARE["random"], rng)
    return time_split(m, TEST_SHARE["time"])


def _method_scores(train: Ratings, pairs: Ratings, wom_points: dict, seed: int,
                   beta_scale: float = 1.0) -> tuple[dict[str, np.ndarray], dict]:
    """Trust scores of every method for the ``pairs`` from ``train``; and, per word-of-mouth
    variant, the share of pairs with any evidence."""
    out = {name: fn(train, pairs.rater, pairs.ratee) for name, fn in
           baselines.BASELINES.items()}
    out["Beta pooled"] = baselines.beta_pooled(train, pairs.rater, pairs.ratee, beta_scale)
    csr = predict.trust_ties(train)
    seen = predict.seen_evidence(train, pairs.rater, pairs.ratee)
    coverage = {}
    for name, point in wom_points.items():
        wom, hw = calibrate.as_config(point)
        g, b = predict.heard_evidence(train, pairs.rater, pairs.ratee, wom, seed, csr)
        heard = (g.sum(axis=1), b.sum(axis=1))
        coverage[name] = float(((heard[0] + heard[1] + seen[0] + seen[1]) > 0).mean())
        out[name] = predict.perceived_reputation(train.n, pairs.rater, pairs.ratee, seen,
                                                 heard, 1.0, hw)
    return out, coverage


def _default_point() -> dict:
    wom = predict.wom_config()
    return {**{k: getattr(wom, k) for k in calibrate.PARAMS if k != "heard_weight"},
            "heard_weight": 1.0}


def evaluate_split(ratings: Ratings, kind: str, index: int, grid: calibrate.Grid, seed: int,
                   log=print) -> dict:
    """One outer split: the grid fitted on its validation split, every method scored on
    its test split. Returns a dict with ``scores`` (rows per unit and method), ``grid``
    (rows), ``best`` (the chosen points), ``curves`` (ROC per method) and ``coverage``."""
    rng = np.random.default_rng([seed, index])
    train_i, test_i = _split(kind, len(ratings), rng)
    train, test = ratings.subset(train_i), ratings.subset(test_i)
    fit_i, valid_i = _split(kind, len(train), rng)
    fit, valid = train.subset(fit_i), train.subset(valid_i)
    t0 = time.perf_counter()

    def tick(done, total):
        if done == total or done % max(1, total // 4) == 0:
            log(f"  {kind} split {index}: grid {done}/{total} word-of-mouth runs "
                f"({time.perf_counter() - t0:.0f} s)")

    wom_seed = int(rng.integers(2**62))
    rows = calibrate.evaluate_grid(fit, valid, grid, wom_seed, tick)
    chosen = {WOM_DEFAULT: _default_point(), WOM_FITTED: calibrate.best(rows),
              WOM_NO_BIAS: calibrate.best(rows, calibrate.no_bias)}
    chosen = {k: {p: v[p] for p in calibrate.PARAMS} for k, v in chosen.items()}
    # the pooled Beta reputation gets the same freedom as the heard weight: its evidence
    # scale, chosen on the validation pairs from the same values
    beta_scale = max(grid.heard_weight, key=lambda sc: scoring.roc_auc(
        valid.is_bad, -baselines.beta_pooled(fit, valid.rater, valid.ratee, sc)))
    valid_scores, _ = _method_scores(fit, valid, chosen, wom_seed, beta_scale)
    test_scores, coverage = _method_scores(train, test, chosen, wom_seed + 1, beta_scale)
    # does word of mouth add to the platform's score? a logistic regression on both,
    # fitted on the validation pairs (its trust score: minus the log-odds of a negative)
    both = scoring.fit_logistic(np.column_stack([valid_scores[m] for m in COMBINES]),
                                valid.is_bad)
    for scores_, _ in ((valid_scores, valid), (test_scores, test)):
        scores_[COMBINED] = -scoring.logistic_logit(
            both, np.column_stack([scores_[m] for m in COMBINES]))
    units = ([np.arange(len(test))] if kind == "random"
             else time_blocks(np.arange(len(test)), TIME_BLOCKS))
    scores, curves = [], {}
    for method in METHODS:
        v, s = valid_scores[method], test_scores[method]
        platt = scoring.fit_platt(v, valid.is_bad)
        linear = scoring.fit_linear(v, valid.weight)
        for u, part in enumerate(units):
            measures = scoring.score_all(test.is_bad[part], test.weight[part], s[part],
                                         platt, linear)
            scores.append({"split": kind, "split_index": index, "unit": u,
                           "method": method, **measures, "n_test": int(part.size)})
        curves[method] = scoring.roc_curve(test.is_bad, -s)
    for r in rows:
        r.update(split=kind, split_index=index)
    chosen["Beta pooled evidence scale"] = float(beta_scale)
    return {"scores": scores, "grid": rows, "best": chosen, "curves": curves,
            "coverage": coverage, "n_train": len(train), "n_test": len(test),
            "negative_share": float(test.is_bad.mean())}


def summary_table(scores) -> object:
    """One row per split kind and method: mean, 95% CI bounds and units of each measure
    (:func:`simnet.stats.mean_ci` over splits, or over the time split's blocks)."""
    import pandas as pd

    from simnet.stats import mean_ci

    table = pd.DataFrame(scores)
    rows = []
    for (kind, method), part in table.groupby(["split", "method"], sort=False):
        row = {"split": kind, "method": method}
        for m in MEASURES:
            mean, lo, hi, n = mean_ci(part[m].to_numpy())
            row.update({m: mean, f"{m}_lo": lo, f"{m}_hi": hi})
        row["n"] = n
        rows.append(row)
    return pd.DataFrame(rows)


def format_table(table, coverage: dict | None = None) -> str:
    """The summary as aligned text: ``mean ± half-width`` per measure."""
    lines = [f"{'split':7s} {'method':38s} {'AUC (neg.)':>15s} {'log loss':>15s} "
             f"{'RMSE':>15s} {'Pearson':>15s}"]
    for _, r in table.iterrows():
        cells = []
        for m in MEASURES:
            half = (r[f"{m}_hi"] - r[f"{m}_lo"]) / 2
            cells.append(f"{r[m]:.3f} ± {half:.3f}" if np.isfinite(half) else f"{r[m]:.3f}")
        lines.append(f"{r['split']:7s} {r['method']:38s} " + " ".join(f"{c:>15s}"
                                                                     for c in cells))
    return "\n".join(lines)


def check_out_dir(out: Path) -> None:
    """Raise :class:`ValidationError` unless ``out`` can be created and written."""
    import os
    import tempfile

    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise ValidationError(f"--out {out}: cannot write there "
                              f"({err.strerror or err})") from None


def run_validation(dataset: str = "bitcoin_otc", out: str | Path = "results",
                   quick: bool = False, seed: int = 0, splits: int | None = None,
                   log=print) -> dict:
    """Run the comparison on ``dataset`` and write its files into
    ``out/validate_<dataset>[_quick]``. Returns ``{"table", "path", "fitted", "seconds",
    "text"}``."""
    import pandas as pd

    from simnet.results import atomic_write, write_csv

    start = time.perf_counter()
    ratings = load_ratings(dataset)
    folder = Path(out) / f"validate_{dataset}{'_quick' if quick else ''}"
    check_out_dir(folder)
    grid = calibrate.QUICK_GRID if quick else calibrate.FULL_GRID
    n_random = splits if splits is not None else (2 if quick else 3)
    if quick:
        ratings = ratings.subset(np.arange(int(QUICK_SHARE * len(ratings))))
    log(f"{dataset}: {len(ratings)} ratings among {ratings.n} traders "
        f"({ratings.is_bad.mean():.1%} negative){' (quick)' if quick else ''}; "
        f"{n_random} random split(s) + 1 time split; grid of {grid.size} points "
        f"({len(grid.spreads())} word-of-mouth runs per split)")
    results = [evaluate_split(ratings, "random", i, grid, seed, log) for i in range(n_random)]
    results.append(evaluate_split(ratings, "time", 0, grid, seed, log))
    scores = [row for r in results for row in r["scores"]]
    table = summary_table(scores)
    cover = {}
    for kind in ("random", "time"):
        part = [r["coverage"] for r in results if r["scores"][0]["split"] == kind]
        for name in part[0]:
            cover[(kind, name)] = float(np.mean([p[name] for p in part]))
    table["wom_coverage"] = [cover.get((r["split"], r["method"]), np.nan)
                             for _, r in table.iterrows()]
    random_best = [r["best"][WOM_FITTED] for r in results if r["scores"][0]["split"] ==
                   "random"]
    random_grid = [row for r in results if r["scores"][0]["split"] == "random"
                   for row in r["grid"]]
    fitted = {
        "dataset": dataset, "quick": quick, "seed": seed,
        "grid": {k: list(v) for k, v in vars(grid).items()},
        "best_per_split": [{"split": r["scores"][0]["split"],
                            "split_index": r["scores"][0]["split_index"],
                            **{k: v for k, v in r["best"].items() if k != WOM_DEFAULT}}
                           for r in results],
        "consensus_random": calibrate.consensus(random_grid),
        "range_random": calibrate.spread_of_best(random_best),
        "profile_random": calibrate.profile(random_grid),
        "negative_share_test": {f"{r['scores'][0]['split']}{r['scores'][0]['split_index']}":
                                r["negative_share"] for r in results},
    }
    fitted["negativity_bias_auc_gain"] = paired_auc_differences(scores, WOM_NO_BIAS)
    fitted["auc_gain_over"] = {other: paired_auc_differences(scores, other)
                               for other in COMPARED}
    fitted["combined_gain_over_beta"] = paired_auc_differences(scores, "Beta pooled",
                                                               COMBINED)
    write_csv(table, folder / "table.csv")
    write_csv(pd.DataFrame(scores), folder / "scores.csv")
    write_csv(pd.DataFrame([r for res in results for r in res["grid"]]),
              folder / "calibration.csv")
    try:
        from simnet.validation.figure import plot_validation

        curves = {kind: next(r["curves"] for r in results if r["scores"][0]["split"] == kind)
                  for kind in ("random", "time")}
        fig = plot_validation(table, curves)
        from simnet.plots.style import save_figure

        save_figure(fig, folder / "figure")
    except ImportError as err:  # pragma: no cover - matplotlib is a dependency
        log(f"(figure skipped: {err})")
    seconds = time.perf_counter() - start
    fitted["seconds"] = round(seconds, 1)
    text = format_table(table) + "\n\n" + format_differences(fitted)
    atomic_write(folder / "fitted.json", lambda tmp: tmp.write_text(
        json.dumps(fitted, indent=2, default=float) + "\n"))
    return {"table": table, "path": folder, "fitted": fitted, "seconds": seconds,
            "text": text}


def paired_auc_differences(scores, other: str, method: str = WOM_FITTED) -> dict:
    """AUC of ``method`` minus AUC of ``other`` on the same test pairs, per split kind:
    mean and 95% CI over the units (random splits; time blocks), paired."""
    import pandas as pd

    from simnet.stats import mean_ci

    scores = pd.DataFrame(scores)
    out = {}
    for kind, part in scores.groupby("split", sort=False):
        a = part[part["method"] == method].set_index(["split_index", "unit"])["auc"]
        b = part[part["method"] == other].set_index(["split_index", "unit"])["auc"]
        mean, lo, hi, n = mean_ci((a - b).to_numpy())
        out[kind] = {"mean": mean, "lo": lo, "hi": hi, "n": n}
    return out


def format_differences(fitted: dict) -> str:
    """The paired AUC differences of the fitted word of mouth, as text."""
    lines = ["AUC of word of mouth (fitted) minus ... (paired, mean [95% CI]):"]
    rows = {**fitted["auc_gain_over"], WOM_NO_BIAS: fitted["negativity_bias_auc_gain"]}
    for other, by_kind in rows.items():
        cells = [f"{kind} {d['mean']:+.3f} [{d['lo']:+.3f}, {d['hi']:+.3f}]"
                 for kind, d in by_kind.items()]
        lines.append(f"  {other:38s} " + "; ".join(cells))
    cells = [f"{kind} {d['mean']:+.3f} [{d['lo']:+.3f}, {d['hi']:+.3f}]"
             for kind, d in fitted["combined_gain_over_beta"].items()]
    lines.append(f"AUC of {COMBINED} minus Beta pooled: " + "; ".join(cells))
    return "\n".join(lines)
