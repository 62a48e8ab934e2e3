"""simnet validate bitcoin_otc: the data, the splits, no leakage, word of mouth on ratings,
the scores, the preset and the command."""

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simnet.config import ConfigError, model_config_from_dict
from simnet.validation import otc, predict, scoring
from simnet.validation.otc import Ratings, ValidationError, load_ratings

DATA = Path(__file__).resolve().parent.parent / "simnet" / "data"


def _ratings(triples, n=None):
    """Ratings from (rater, ratee, rating) triples, in the given (time) order."""
    a = np.array(triples, dtype=np.int64).reshape(-1, 3)
    n = int(a[:, :2].max()) + 1 if n is None else n
    return Ratings(n, a[:, 0].astype(np.int32), a[:, 1].astype(np.int32),
                   a[:, 2].astype(np.int8), np.arange(len(a), dtype=float), np.arange(n))


# --------------------------------------------------------------------------- data

def test_shipped_ratings_as_published():
    r = load_ratings("bitcoin_otc")
    # Kumar et al. 2016 / SNAP: 5,881 traders, 35,592 ratings, about 90% positive
    assert (r.n, len(r)) == (5881, 35592)
    assert r.is_bad.mean() == pytest.approx(0.1001, abs=1e-3)
    assert r.rating.min() == -10 and r.rating.max() == 10 and (r.rating != 0).all()
    assert (np.diff(r.time) >= 0).all()
    assert (r.rater != r.ratee).all()
    assert np.unique(r.rater.astype(np.int64) * r.n + r.ratee).size == len(r)
    assert r.ids.min() == 1 and r.ids.max() == 6005


def test_checksum_listed_and_verified_on_read(tmp_path, monkeypatch):
    listed = dict(line.split()[::-1] for line in (DATA / "SHA256SUMS").read_text()
                  .splitlines())
    path = DATA / "soc-sign-bitcoinotc.csv"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == listed[path.name]
    damaged = tmp_path / path.name
    damaged.write_bytes(path.read_bytes().replace(b"6,2,4,", b"6,2,5,", 1))
    (tmp_path / "SHA256SUMS").write_text(f"{listed[path.name]}  {path.name}\n")
    monkeypatch.setattr(otc, "data_path", lambda dataset: damaged)
    with pytest.raises(ValidationError, match="SHA-256 does not match"):
        load_ratings("bitcoin_otc")


def test_unknown_dataset_and_malformed_file(tmp_path):
    with pytest.raises(ValidationError, match="unknown data set 'nope'; known: bitcoin_otc"):
        load_ratings("nope")
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,11,5.0\n")
    with pytest.raises(ValidationError, match=r"-10\.\.10"):
        load_ratings(path=bad)
    assert issubclass(ValidationError, ConfigError)


def test_splits_are_disjoint_and_time_split_holds_out_the_latest():
    rng = np.random.default_rng(0)
    train, test = otc.random_split(1000, 0.15, rng)
    assert test.size == 150 and np.intersect1d(train, test).size == 0
    assert np.union1d(train, test).size == 1000
    train, test = otc.time_split(1000, 0.2)
    assert train.max() < test.min() and test.size == 200
    blocks = otc.time_blocks(test, 5)
    assert [b.size for b in blocks] == [40] * 5


# --------------------------------------------------------------------------- scoring

def test_auc_is_the_pairwise_probability():
    rng = np.random.default_rng(1)
    y = rng.random(60) < 0.3
    s = rng.integers(0, 5, 60).astype(float)  # with ties
    pos, neg = s[y], s[~y]
    brute = ((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean()
    assert scoring.roc_auc(y, s) == pytest.approx(brute)
    fpr, tpr = scoring.roc_curve(y, s)
    assert np.trapezoid(tpr, fpr) == pytest.approx(brute)


def test_platt_and_linear_fits():
    rng = np.random.default_rng(2)
    x = rng.normal(size=4000)
    y = rng.random(4000) < 1 / (1 + np.exp(-(-1.0 + 2.0 * x)))
    a, b, mu, sd = scoring.fit_platt(x, y)
    assert a + b * (-mu / sd) == pytest.approx(-1.0, abs=0.15)
    assert b / sd == pytest.approx(2.0, abs=0.2)
    # a separating score still gives finite probabilities
    p = scoring.apply_platt(scoring.fit_platt(x, x > 0), x)
    assert np.isfinite(p).all()
    assert scoring.fit_linear(x, 0.5 + 0.25 * x) == pytest.approx((0.5, 0.25))
    assert scoring.log_loss([True, False], [0.5, 0.5]) == pytest.approx(np.log(2))


# --------------------------------------------------------------------------- word of mouth

def test_trust_ties_skip_distrust():
    # 0 trusts 1; 1 trusts 2 but 2 distrusts 1; 3 distrusts 0
    r = _ratings([(0, 1, 5), (1, 2, 3), (2, 1, -2), (3, 0, -10)])
    csr = predict.trust_ties(r)
    assert list(np.diff(csr.indptr)) == [1, 1, 0, 0]
    assert list(csr.indices) == [1, 0]
    assert (csr.strength == 1.0).all()


def test_heard_evidence_by_hand():
    # witness 1 rated subject 9 at -10 (bad, weight 1) and subject 8 at +5 (good, 0.5);
    # the query rater 0 trusts 1 directly; rater 3 hears through 2 (0-2? no: 3-2-1).
    r = _ratings([(0, 1, 4), (2, 1, 2), (3, 2, 7), (1, 9, -10), (1, 8, 5)], n=10)
    wom = predict.wom_config(decay_good=0.5, decay_bad=0.8, share_good=1.0, share_bad=1.0,
                             max_hops=3, min_weight=0.0)
    rater = np.array([0, 3, 0, 3, 4])
    ratee = np.array([9, 9, 8, 8, 9])
    good, bad = predict.heard_evidence(r, rater, ratee, wom, seed=0)
    assert bad[0] == pytest.approx([0.8, 0, 0])       # hop 1, 1 * 0.8
    assert bad[1] == pytest.approx([0, 0.64, 0])      # hop 2 via 2
    assert good[2] == pytest.approx([0.25, 0, 0])     # 0.5 * 0.5
    assert good[3] == pytest.approx([0, 0.125, 0])
    assert good[4].sum() == bad[4].sum() == 0         # 4 has no ties
    seen = predict.seen_evidence(r, rater, ratee)
    heard = (good.sum(axis=1), bad.sum(axis=1))
    rep = predict.perceived_reputation(r.n, rater, ratee, seen, heard, 1.0, 2.0)
    assert rep == pytest.approx([1 / (1.6 + 2), 1 / (1.28 + 2), 1.5 / 2.5, 1.25 / 2.25, 0.5])
    # the hop limit and min_weight stop it
    wom1 = predict.wom_config(decay_bad=0.8, share_bad=1.0, max_hops=1, min_weight=0.0)
    assert predict.heard_evidence(r, rater, ratee, wom1, 0)[1][1].sum() == 0
    own = _ratings([(0, 9, -5), (0, 1, 4)], n=10)
    assert predict.seen_evidence(own, [0], [9])[1] == pytest.approx([0.5])


def test_no_leakage_test_ratings_never_used():
    """Every method's test scores are the same whatever the held-out ratings say."""
    from simnet.validation import run

    r = load_ratings().subset(np.arange(6000))
    rng = np.random.default_rng(7)
    train_i, test_i = otc.random_split(len(r), 0.15, rng)
    flipped = r.rating.copy()
    flipped[test_i] = -flipped[test_i]
    r2 = Ratings(r.n, r.rater, r.ratee, flipped, r.time, r.ids)
    points = {run.WOM_DEFAULT: run._default_point()}
    a, _ = run._method_scores(r.subset(train_i), r.subset(test_i), points, 3)
    b, _ = run._method_scores(r2.subset(train_i), r2.subset(test_i), points, 3)
    for method in a:
        np.testing.assert_array_equal(a[method], b[method], err_msg=method)


# --------------------------------------------------------------------------- preset

def test_word_of_mouth_preset():
    from simnet.config import WORD_OF_MOUTH_PRESETS

    values = WORD_OF_MOUTH_PRESETS["bitcoin_otc"]
    cfg = model_config_from_dict({"word_of_mouth": {"preset": "bitcoin_otc"}})
    for key, value in values.items():
        assert getattr(cfg.word_of_mouth, key) == value
    cfg = model_config_from_dict({"word_of_mouth": {"preset": "bitcoin_otc", "max_hops": 1}})
    assert cfg.word_of_mouth.max_hops == 1
    with pytest.raises(ConfigError, match=r"word_of_mouth.preset = 'bitcoin': unknown "
                                          r"preset; known: bitcoin_otc \(did you mean"):
        model_config_from_dict({"word_of_mouth": {"preset": "bitcoin"}})


def test_preset_in_an_experiment_file(tmp_path):
    from simnet.experiment import load_experiment

    path = tmp_path / "e.toml"
    path.write_text('[experiment]\nname = "e"\nsteps = 2\n\n[population]\nn_agents = 50\n\n'
                    '[word_of_mouth]\npreset = "bitcoin_otc"\ndecay_good = 0.7\n')
    from simnet.config import WORD_OF_MOUTH_PRESETS

    exp = load_experiment(path)
    assert exp.model.word_of_mouth.decay_good == 0.7
    preset = WORD_OF_MOUTH_PRESETS["bitcoin_otc"]
    assert exp.model.word_of_mouth.decay_bad == preset["decay_bad"]
    assert exp.model.word_of_mouth.max_hops == preset["max_hops"]


# --------------------------------------------------------------------------- command

def _simnet(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "simnet.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_validate_bad_input_one_line_no_traceback(tmp_path):
    out = _simnet("validate", "nope", "--out", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.strip() == "simnet: error: unknown data set 'nope'; known: bitcoin_otc"
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = _simnet("validate", "bitcoin_otc", "--quick", "--out", str(blocker / "sub"))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("simnet: error: --out ")
    assert _simnet("validate", "bitcoin_otc", "--splits", "1").returncode == 2


def test_validate_quick_end_to_end(tmp_path):
    out = _simnet("validate", "bitcoin_otc", "--quick", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "validate_bitcoin_otc_quick"
    for name in ("table.csv", "scores.csv", "calibration.csv", "fitted.json",
                 "figure.png", "figure.pdf"):
        assert (folder / name).is_file(), name
    assert not list(folder.glob(".*.tmp"))
    import pandas as pd

    table = pd.read_csv(folder / "table.csv")
    assert set(table["split"]) == {"random", "time"}
    assert len(table) == 18
    assert table["auc"].between(0.4, 1.0).all()
    assert "Fairness-Goodness" in out.stdout and "word of mouth (fitted)" in out.stdout
