"""The ``simnet`` command: bad input, kill and resume, check/list/plot/viz, shipped
experiments at their quick size."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simnet.cli import main
from simnet.experiment import load_experiment
from simnet.results import finished_runs, load_results
from simnet.sweep import run_experiment

SIMNET = [sys.executable, "-m", "simnet.cli"]
SHIPPED = sorted(Path("experiments").glob("*.toml"))
GOOD = """
[experiment]
name = "cli"
seed = 3
steps = 5
replications = 2

[population]
n_agents = 60

[network]
mean_degree = 4
"""


def simnet(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*SIMNET, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


# --------------------------------------------------------------------------- bad input

BAD_FILES = {
    "unknown key": (GOOD.replace("n_agents = 60", "n_agent = 60"),
                    "unknown key 'n_agent' in [population]"),
    "unknown section": (GOOD + "\n[sweeps]\nopen_share = [0.1]\n", "unknown section [sweeps]"),
    "wrong type": (GOOD.replace("steps = 5", 'steps = "five"'), "experiment.steps = 'five'"),
    "out of range": (GOOD + "\n[word_of_mouth]\ndecay_bad = 1.5\n",
                     "word_of_mouth.decay_bad = 1.5 is out of range"),
    "empty grid": (GOOD + "\n[sweep]\nopen_share = []\n", "sweep.open_share = []"),
    "negative replications": (GOOD.replace("replications = 2", "replications = -2"),
                              "experiment.replications = -2"),
    "sampled design without bounds": (GOOD + '\n[sweep]\ndesign = "lhs"\nsamples = 8\n',
                                      "sweep.bounds is required"),
    "malformed TOML": (GOOD.replace("[population]", "[population"), "malformed TOML"),
    "missing edge-list file": (GOOD.replace("mean_degree = 4",
                                            'kind = "file"\npath = "no/such/edges.txt"'),
                               "network.path: edge list file not found"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_experiment_file_exits_nonzero_with_one_line_and_writes_nothing(tmp_path, case):
    text, fragment = BAD_FILES[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    result = simnet("run", str(path), "--out", str(out), "--workers", "1")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("simnet: error: ") and fragment in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists() or not any(out.iterdir())


def test_missing_experiment_file_and_bad_options(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.toml"), "--out", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err
    good = tmp_path / "good.toml"
    good.write_text(GOOD)
    assert main(["run", str(good), "--out", str(tmp_path / "o"), "--workers", "0"]) == 2
    assert "--workers = 0" in capsys.readouterr().err
    assert main(["check", str(good), "--quick"]) == 0
    assert not (tmp_path / "o").exists()


def test_changed_experiment_is_refused_without_restart(tmp_path, capsys):
    path = tmp_path / "exp.toml"
    path.write_text(GOOD)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--no-plots",
                 "--quiet"]) == 0
    path.write_text(GOOD.replace("steps = 5", "steps = 6"))
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--no-plots",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--restart" in err and len(err.strip().splitlines()) == 1
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--no-plots",
                 "--quiet", "--restart"]) == 0
    assert load_results(out / "cli").groups["step"].max() == 6


# --------------------------------------------------------------------------- kill, resume

KILLABLE = """
[experiment]
name = "killme"
seed = 9
steps = 12
replications = 10

[population]
n_agents = 150

[network]
mean_degree = 6

[sweep]
open_share = [0.3]
"""


def test_killed_sweep_resumes_and_equals_an_uninterrupted_one(tmp_path):
    path = tmp_path / "killme.toml"
    path.write_text(KILLABLE)
    out = tmp_path / "killed"
    args = ["run", str(path), "--out", str(out), "--workers", "1", "--no-plots", "--quiet"]
    proc = subprocess.Popen([*SIMNET, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while len(finished_runs(out / "killme")) < 2:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no run finished in time"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    done = finished_runs(out / "killme")
    assert 2 <= len(done) < 10
    # What was finished reads back whole; what was being written is not read.
    partial = load_results(out / "killme")
    assert set(partial.groups["run_id"]) == done
    assert len(partial.agents) == 150 * len(done)
    assert len(partial.missing) == 10 - len(done)

    result = simnet(*args)
    assert result.returncode == 0, result.stderr
    assert f"{10 - len(done)} runs done" in result.stdout
    assert f"{len(done)} already finished" in result.stdout
    assert not any(p.name.startswith(".") for p in (out / "killme" / "runs").iterdir())
    # nor in the tables a Parquet reader reads: every run there is a finished one
    for table in (out / "killme" / "tables").iterdir():
        assert {p.name for p in table.iterdir()} <= {
            f"run_id={r}" for r in finished_runs(out / "killme")}, table.name

    reference = run_experiment(load_experiment(path), tmp_path / "whole", workers=1,
                               progress=False)
    resumed, whole = load_results(out / "killme"), load_results(reference.path)
    for name in ("groups", "model", "agents", "opportunities", "ties", "news"):
        pd.testing.assert_frame_equal(getattr(resumed, name), getattr(whole, name), obj=name)
    assert resumed.manifest["runs"] == whole.manifest["runs"]


def test_ctrl_c_stops_cleanly_and_keeps_finished_runs(tmp_path):
    path = tmp_path / "killme.toml"
    # enough work (200 runs of 40 steps, about a minute) that the sweep cannot finish
    # between the first finished run and the signal, however fast the machine
    path.write_text(KILLABLE.replace("replications = 10", "replications = 200")
                    .replace("steps = 12", "steps = 40"))
    out = tmp_path / "stopped"
    # Ctrl+C as in a terminal: Python turns SIGINT into KeyboardInterrupt only when it did
    # not start with SIGINT ignored, as it does under a shell's background job (`cmd &`)
    proc = subprocess.Popen([*SIMNET, "run", str(path), "--out", str(out), "--workers", "2",
                             "--no-plots", "--quiet"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while len(finished_runs(out / "killme")) < 1:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("simnet: interrupted; finished runs are kept")
    assert len(finished_runs(out / "killme")) >= 1


# --------------------------------------------------------------------------- commands

def test_run_prints_summaries_with_confidence_intervals(tmp_path, capsys):
    path = tmp_path / "exp.toml"
    path.write_text(GOOD + "\n[arms.open]\nopen_share = 0.9\n[arms.closed]\nopen_share = 0.1\n")
    assert main(["run", str(path), "--out", str(tmp_path), "--workers", "1", "--no-plots",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "4 runs (2 arm(s) x 1 point(s) x 2 replication(s))" in out
    assert "Answer: paired differences" in out
    assert "mean [95% CI] over 2 replications" in out
    assert "closed - open (whole population)" in out
    assert (tmp_path / "cli" / "summary_outcomes.csv").is_file()
    # a second run finds everything finished
    assert main(["run", str(path), "--out", str(tmp_path), "--workers", "1", "--no-plots",
                 "--quiet"]) == 0
    assert "all 4 runs already finished" in capsys.readouterr().out


def test_check_prints_runs_and_cost(capsys):
    assert main(["check", "experiments/open_vs_selective.toml", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "27 runs = 1 arm(s)" in out and "estimated cost" in out and "quick size" in out


def test_list_shows_experiments_and_strategies(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for path in SHIPPED:
        assert path.stem in out
    for strategy in ("open", "selective", "recruiter", "connector", "spammer"):
        assert strategy in out
    assert "INVALID" not in out


def test_plot_refuses_a_folder_without_results(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    assert "not a simnet results folder" in capsys.readouterr().err


def test_plot_draws_the_figures_of_a_results_folder(tmp_path, capsys):
    pytest.importorskip("simnet.plots")
    path = tmp_path / "exp.toml"
    path.write_text(GOOD + '\n[[plots.figure]]\nkind = "outcomes"\nmetric = "opps_total"\n')
    assert main(["run", str(path), "--out", str(tmp_path), "--workers", "1", "--quiet"]) == 0
    assert "drew" in capsys.readouterr().out
    figures = tmp_path / "cli" / "figures"
    assert any(figures.glob("*.png"))
    assert main(["plot", str(tmp_path / "cli")]) == 0


def test_viz_without_the_extra_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "simnet.viz", None)  # import fails
    assert main(["viz", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install -e '.[viz]'" in err[0]


def test_viz_passes_the_file_and_port(monkeypatch):
    calls = []
    fake = type(sys)("simnet.viz")
    fake.serve = lambda experiment_file, port, host="127.0.0.1": calls.append(
        (experiment_file, port, host))
    monkeypatch.setitem(sys.modules, "simnet.viz", fake)
    assert main(["viz", "experiments/spam.toml", "--port", "9999"]) == 0
    assert calls == [("experiments/spam.toml", 9999, "127.0.0.1")]


# --------------------------------------------------------------------------- shipped

# The sensitivity screen's quick size takes minutes: tests/test_sensitivity.py runs it.
@pytest.mark.parametrize("path", [p for p in SHIPPED if p.stem != "sensitivity"],
                         ids=lambda p: p.stem)
def test_shipped_experiment_checks_and_runs_at_quick_size(path, tmp_path, capsys):
    assert main(["check", str(path)]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["run", str(path), "--quick", "--out", str(tmp_path), "--workers", "1",
                 "--no-plots", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Question:" in out and "Answer: paired differences" in out  # every shipped one
    assert "Full tables" in out                                          # has a comparison
    exp = load_experiment(path, quick=True)
    rs = load_results(tmp_path / f"{exp.name}_quick")
    assert rs.missing == [] and len(rs.runs) == exp.n_runs()
    assert not rs.groups.empty and not rs.model.empty
