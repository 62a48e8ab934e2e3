"""The end-of-run summary's answer: the comparisons an experiment exists for, as paired
differences with 95% CIs, computed from synthetic tables whose answer is known."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from simnet.runner import answer_table, comparisons, summary_text


def _results(arms, values, baseline=None, figures=None, params=()):
    """A ResultSet look-alike with a groups table: ``values[(arm, rep, group)] = opps``
    (open has 10 agents, selective 30)."""
    rows = []
    for (arm, rep, group), value in values.items():
        rows.append({"run_id": f"{arm}-r{rep}", "arm": arm, "replication": rep, "seed": rep,
                     "step": 4, "group_by": "strategy", "group": group,
                     "n_agents": 10 if group == "open" else 30, "opps_total": value,
                     "bad_suffered": 2 * value})
    experiment = {"experiment": {"description": "Who wins?"},
                  "plots": {"figure": figures or [{"kind": "outcomes",
                                                   "metric": ["opps_total"]}]}}
    return SimpleNamespace(groups=pd.DataFrame(rows), model=pd.DataFrame(),
                           news=pd.DataFrame(), params=list(params), path="RESULTS",
                           manifest={"arms": list(arms), "baseline": baseline,
                                     "replications": 3, "experiment": experiment})


def test_arms_are_compared_with_the_baseline_for_the_whole_population():
    values = {}
    for rep, (o, s) in enumerate([(1.0, 2.0), (2.0, 2.0), (3.0, 5.0)]):
        values[("keep", rep, "open")], values[("keep", rep, "selective")] = o, s
        values[("prune", rep, "open")], values[("prune", rep, "selective")] = o + rep, s
    rs = _results(["keep", "prune"], values, baseline="keep")
    assert comparisons(rs) == [("arm", "prune", "keep")]
    answer = answer_table(rs)
    assert set(answer["group"]) == {"all"} and set(answer["metric"]) == {"opps_total"}
    # population mean differs by 10 * rep / 40 agents in replication rep
    diffs = np.array([0.0, 0.25, 0.5])
    row = answer.iloc[0]
    assert row["comparison"] == "prune - keep" and row["pairs"] == 3
    assert row["mean"] == pytest.approx(diffs.mean())
    half = st.t.ppf(0.975, 2) * diffs.std(ddof=1) / np.sqrt(3)
    assert (row["lo"], row["hi"]) == pytest.approx((diffs.mean() - half, diffs.mean() + half))
    text = summary_text(rs, {"answer": answer})
    assert text.startswith("Question: Who wins?")
    assert "prune - keep (whole population)" in text and "+0.250 [" in text
    assert "RESULTS/summary_{answer}.csv" in text


def test_one_arm_compares_open_with_selective_within_each_run():
    values = {("base", rep, g): v for rep in range(3)
              for g, v in (("open", 1.0 + rep), ("selective", 0.5))}
    rs = _results(["base"], values)
    assert comparisons(rs) == [("group", "open", "selective")]
    answer = answer_table(rs)
    assert answer["mean"].tolist() == pytest.approx([1.5])  # mean of 0.5, 1.5, 2.5
    assert "open - selective (within each run)" in summary_text(rs, {"answer": answer})
