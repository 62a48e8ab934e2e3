"""The worked example runs on a sweep's results and reproduces the README figure."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def quick_sweep(tmp_path_factory):
    """The flagship experiment at its --quick size (seconds)."""
    from simnet.experiment import load_experiment
    from simnet.sweep import run_experiment

    exp = load_experiment(ROOT / "experiments" / "open_vs_selective.toml", quick=True)
    report = run_experiment(exp, tmp_path_factory.mktemp("results"), workers=1,
                            progress=False)
    return report.path


def test_worked_analysis_reproduces_the_readme_figure(quick_sweep, tmp_path, capsys):
    example = runpy.run_path(str(ROOT / "examples" / "open_vs_selective_analysis.py"))
    out = tmp_path / "example.png"
    assert example["main"]([str(quick_sweep), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "open - selective" in printed and "bad_suffered" in printed
    # the README's command for its figure, on the same results
    from simnet.plots.__main__ import main as plots_main

    readme = tmp_path / "readme.png"
    assert plots_main([str(quick_sweep), "--kind", "outcomes", "--metric", "opps_total",
                       "bad_suffered", "--x", "open_share", "--dpi", "200", "--out",
                       str(readme)]) == 0
    assert out.read_bytes() == readme.read_bytes()


def test_worked_analysis_table_is_the_paired_difference(quick_sweep):
    example = runpy.run_path(str(ROOT / "examples" / "open_vs_selective_analysis.py"))
    from simnet.results import load_results

    groups = load_results(quick_sweep, tables=("groups",)).groups
    table = example["open_minus_selective"](groups, ["open_share"])
    final = groups[(groups.group_by == "strategy")
                   & (groups.step == groups.groupby("run_id").step.transform("max"))]
    wide = final.pivot_table(index=["open_share", "run_id"], columns="group",
                             values="opps_total")
    expected = (wide["open"] - wide["selective"]).groupby("open_share").mean()
    got = table[table.metric == "opps_total"].set_index("open_share")["open - selective"]
    assert got.to_numpy() == pytest.approx(expected.to_numpy())
    assert set(table["runs"]) == {2}
