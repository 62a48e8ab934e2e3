"""Methods text from the code: `simnet params`, `simnet metrics`, `simnet --version` and
the ODD description (`simnet describe`), and the shipped docs/ODD.md kept current."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from simnet.cli import main
from simnet.config import SECTIONS, StrategyParams
from simnet.describe import odd_markdown, params_rows, schedule
from simnet.experiment import load_experiment

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "experiments" / "open_vs_selective.toml"
ODD_SECTIONS = ("## 1. Purpose and patterns", "## 2. Entities, state variables, and scales",
                "## 3. Process overview and scheduling", "## 4. Design concepts",
                "## 5. Initialisation", "## 6. Input data", "## 7. Submodels")


def test_params_lists_every_parameter_with_range_and_meaning(capsys):
    rows = params_rows()
    expected = sum(len(fields(cls)) for cls in SECTIONS.values()) + len(
        fields(StrategyParams)) - 1
    assert len(rows) == expected
    decay = next(r for r in rows if r["name"] == "decay_bad")
    assert decay == {"section": "word_of_mouth", "name": "decay_bad", "default": "1",
                     "range": "[0, 1]",
                     "meaning": "weight kept per hop by bad news (negativity bias)"}
    assert next(r for r in rows if r["name"] == "kind")["range"].startswith("small_world,")
    assert all(r["meaning"] for r in rows if r["name"] != "conduct_types"), "a field lacks doc"
    assert main(["params", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| word_of_mouth | `decay_bad` | 1 | [0, 1] |" in out
    assert main(["params", "--experiment", str(ROOT / "experiments" / "spam.toml")]) == 0
    assert "value" in capsys.readouterr().out.splitlines()[0]


def test_metrics_and_version_commands(capsys):
    assert main(["metrics"]) == 0
    out = capsys.readouterr().out
    assert "opps_total" in out and "higher is better" in out and "run_id" not in out
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("simnet ")


def test_odd_description_is_assembled_from_the_code():
    exp = load_experiment(FLAGSHIP)
    text = odd_markdown(exp)
    positions = [text.index(heading) for heading in ODD_SECTIONS]
    assert positions == sorted(positions)
    phases = [name for name, _ in schedule()]
    assert phases[:5] == ["requests_phase", "interactions_phase", "word_of_mouth_phase",
                          "opportunities_phase", "maintenance_phase"]
    for _, func in schedule():  # every phase's docstring is in the submodels
        assert " ".join(func.__doc__.split()[:6]) in text
    assert "| `decay_bad` | 1 | 1 | [0, 1] |" in text
    assert "`open_share` = [0.2, 0.5, 0.8]" in text  # the experiment's sweep
    assert "| spammer | 0.05 | 0.2 | 10 | yes | spammer |" in text
    assert "Grimm, V. et al. (2020)" in text


def test_shipped_odd_is_current(tmp_path):
    """docs/ODD.md is `simnet describe` of the flagship experiment; when the model changes,
    regenerate it (the message says the command)."""
    assert main(["describe", str(FLAGSHIP), "--out", str(tmp_path / "ODD.md")]) == 0
    fresh = (tmp_path / "ODD.md").read_text(encoding="utf-8")
    shipped = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert shipped == fresh, ("docs/ODD.md is out of date; regenerate it with: simnet "
                              "describe experiments/open_vs_selective.toml --out docs/ODD.md")


def test_describe_refuses_a_bad_file(tmp_path, capsys):
    assert main(["describe", str(tmp_path / "nope.toml")]) == 2
    assert "no such file" in capsys.readouterr().err
