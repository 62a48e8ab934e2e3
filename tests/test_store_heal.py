"""The results store verifies and heals: each test damages a finished sweep the way a
user (or a disk) might, runs the sweep again and checks that the damage is reported, the
damaged runs are redone, and the tables equal those of the undamaged sweep."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from simnet.config import ConfigError
from simnet.experiment import experiment_from_dict
from simnet.results import TABLES, finished_runs, load_results, run_folder, table_file
from simnet.sweep import run_experiment

HEAL = {
    "experiment": {"name": "heal", "seed": 7, "steps": 4, "replications": 2},
    "population": {"n_agents": 40},
    "network": {"mean_degree": 4},
    "arms": {"a": {}, "b": {"decay_bad": 0.9}},
}
RUN = "a-r0"  # the run each test damages


def _run(root: Path, data: dict | None = None, **kw):
    return run_experiment(experiment_from_dict(data or HEAL), root, workers=1,
                          progress=False, **kw)


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    results = load_results(folder)
    return {name: getattr(results, name) for name in TABLES}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A finished, undamaged sweep and its tables."""
    root = tmp_path_factory.mktemp("ref")
    report = _run(root)
    assert report.done == 4
    return report.path, _tables(report.path)


@pytest.fixture
def sweep(reference, tmp_path):
    """A copy of the finished sweep, to damage."""
    folder = tmp_path / "out" / "heal"
    shutil.copytree(reference[0], folder)
    return folder


def _heals(folder: Path, reference, redone: int, note: str | None):
    report = _run(folder.parent)
    assert report.done == redone
    text = "\n".join(report.notes)
    if note is not None:
        assert note in text, text
    else:
        assert not report.notes, text
    healed = _tables(folder)
    for name, table in reference[1].items():
        pd.testing.assert_frame_equal(healed[name], table, obj=name)
    assert load_results(folder).missing == []
    return report


def _parquet(folder: Path, table: str = "agents") -> Path:
    return table_file(folder, table, RUN)


def _shown(table: str) -> str:
    """How a note names a table file of the damaged run."""
    return f"tables/{table}/run_id={RUN}/part-0.parquet"


def test_deleted_parquet_file_is_found_and_redone(sweep, reference):
    _parquet(sweep).unlink()
    with pytest.raises(ConfigError, match=rf"run {RUN}: {_shown('agents')} is missing"):
        load_results(sweep)  # never a silently short table
    assert load_results(sweep, strict=False).missing == [RUN]
    _heals(sweep, reference, 1,
           f"runs/run_id={RUN}: {_shown('agents')} is missing; it is run again")


def test_value_edited_inside_parquet_is_found_by_its_checksum(sweep, reference):
    path = _parquet(sweep, "groups")
    table = pd.read_parquet(path)
    column = next(c for c in table.columns if table[c].dtype.kind == "f")
    table.loc[0, column] = table.loc[0, column] + 1.0
    table.to_parquet(path, index=False)
    with pytest.raises(ConfigError, match=rf"{_shown('groups')} is damaged"):
        load_results(sweep)  # `simnet plot` would refuse it too
    _heals(sweep, reference, 1, f"{_shown('groups')} is damaged")


@pytest.mark.parametrize("damage", ["truncated", "zero bytes", "random bytes"])
def test_broken_parquet_file_is_redone(sweep, reference, damage):
    path = _parquet(sweep, "model")
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 2], "zero bytes": b"",
                      "random bytes": os.urandom(len(data))}[damage])
    _heals(sweep, reference, 1, f"{_shown('model')} is damaged")


def test_deleted_run_json_is_redone(sweep, reference):
    (run_folder(sweep, RUN) / "run.json").unlink()
    _heals(sweep, reference, 1, "run.json is missing")


def test_emptied_run_folder_is_redone(sweep, reference):
    for path in (run_folder(sweep, RUN)).iterdir():
        path.unlink()
    _heals(sweep, reference, 1, "run.json is missing")


def test_edited_run_json_is_redone(sweep, reference):
    path = run_folder(sweep, RUN) / "run.json"
    info = json.loads(path.read_text())
    info["n_agents"] = 999
    path.write_text(json.dumps(info))
    _heals(sweep, reference, 1, "run.json was changed")


def test_run_folder_replaced_by_a_file_is_redone(sweep, reference):
    shutil.rmtree(run_folder(sweep, RUN))
    (run_folder(sweep, RUN)).write_text("not a run")
    _heals(sweep, reference, 1, "it is not a folder")


def test_extra_run_folder_is_reported_and_ignored(sweep, reference):
    shutil.copytree(run_folder(sweep, RUN), run_folder(sweep, "copy-of-a-r0"))
    assert load_results(sweep).orphans == ["run_id=copy-of-a-r0"]
    _heals(sweep, reference, 0, "1 folder(s) that are not runs of this experiment "
                                "(run_id=copy-of-a-r0)")


def test_run_folder_of_another_run_id_is_redone(sweep, reference):
    shutil.rmtree(run_folder(sweep, RUN))
    shutil.copytree(run_folder(sweep, "b-r0"), run_folder(sweep, RUN))
    _heals(sweep, reference, 1, "belongs to run 'b-r0'")


@pytest.mark.parametrize("state", ["missing", "unreadable"])
def test_missing_manifest_is_rebuilt_from_the_finished_runs(sweep, reference, state):
    if state == "missing":
        (sweep / "manifest.json").unlink()
    else:
        (sweep / "manifest.json").write_text('{"runs": [')
    _heals(sweep, reference, 0, f"manifest.json was {state}; it is rebuilt from the 4 run")
    assert (sweep / "manifest.json").is_file()


def test_missing_manifest_with_foreign_runs_is_refused(sweep, tmp_path):
    (sweep / "manifest.json").unlink()
    other = {**HEAL, "experiment": {**HEAL["experiment"], "seed": 8}}
    with pytest.raises(ConfigError, match="not made by this experiment"):
        _run(sweep.parent, other)
    assert finished_runs(sweep)  # nothing was removed


def test_temporary_files_are_removed_on_the_next_run(sweep, reference):
    (sweep / "figures").mkdir(exist_ok=True)
    stale = [sweep / "figures" / ".outcomes.png.abc.tmp", sweep / ".summary_news.csv.x.tmp",
             sweep / "runs" / f".run_id={RUN}.xyz.tmp",
             sweep / "tables" / "groups" / f".run_id={RUN}.xyz.tmp"]
    for path in stale[-2:]:
        path.mkdir()
        (path / "part-0.parquet").write_text("half")
    for path in stale[:-2]:
        path.write_text("half")
    _heals(sweep, reference, 0, None)
    assert not any(p.exists() for p in stale)


def test_tables_of_a_run_killed_before_its_run_json_are_removed(sweep, reference):
    """A sweep killed between renaming a run's tables into place and its run.json: the
    run is not finished, so it is run again, and nothing of the killed attempt stays
    where a Parquet reader of tables/<table> would read it."""
    shutil.rmtree(run_folder(sweep, RUN))
    assert load_results(sweep, strict=False).missing == [RUN]
    assert RUN in set(pd.read_parquet(sweep / "tables" / "agents")["run_id"])
    _heals(sweep, reference, 1, None)
    agents = pd.read_parquet(sweep / "tables" / "agents")
    assert len(agents) == len(reference[1]["agents"])


def test_restart_removes_everything_the_previous_experiment_wrote(sweep):
    for name in ("summary_news.csv", "summary_weak_ties.csv", "summary_outcomes.csv"):
        (sweep / name).write_text("old\n")
    (sweep / "figures").mkdir(exist_ok=True)
    (sweep / "figures" / "old.png").write_text("old")
    (sweep / "notes.txt").write_text("mine")  # not simnet's: kept
    other = {**HEAL, "population": {"n_agents": 30}}
    report = _run(sweep.parent, other, restart=True)
    assert report.done == 4
    assert not list(sweep.glob("summary_*.csv"))
    assert not (sweep / "figures").exists()
    assert (sweep / "notes.txt").read_text() == "mine"


def _file_experiment(tmp_path: Path) -> tuple[Path, dict]:
    """A finished one-run experiment on a 30-node edge-list file."""
    edges = tmp_path / "edges.txt"
    edges.write_text("".join(f"{i} {(i + 1) % 30}\n{i} {(i + 2) % 30}\n" for i in range(30)))
    data = {"experiment": {"name": "file", "steps": 3}, "network": {"kind": "file",
                                                                    "path": str(edges)}}
    _run(tmp_path, data)
    return edges, data


def test_changed_edge_list_contents_are_refused(tmp_path):
    edges, data = _file_experiment(tmp_path)
    edges.write_text("".join(f"{i} {(i + 1) % 40}\n{i} {(i + 3) % 40}\n" for i in range(40)))
    with pytest.raises(ConfigError, match=r"other contents of the input file .*edges\.txt"):
        _run(tmp_path, data)
    assert {r["n_agents"] for r in load_results(tmp_path / "file").runs.to_dict("records")} \
        == {30}


@pytest.mark.parametrize("key, value, said", [("seed", 8, "with seed 7, not 8"),
                                               ("steps", 5, "with steps 4, not 5")])
def test_seed_or_steps_override_is_named(sweep, key, value, said):
    other = {**HEAL, "experiment": {**HEAL["experiment"], key: value}}
    with pytest.raises(ConfigError, match=said) as err:
        _run(sweep.parent, other)
    assert "experiment file changed" not in str(err.value)


@pytest.mark.parametrize("entry", ["runs", "tables", "tables/groups", "figures",
                                   "manifest.json"])
def test_symbolic_links_inside_the_folder_are_refused(sweep, tmp_path, entry):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = sweep / entry
    (outside / entry).parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.move(str(target), str(outside / entry))
    else:
        (outside / entry).mkdir()
    target.symlink_to(outside / entry)
    before = sorted(p.relative_to(outside) for p in outside.rglob("*"))
    for restart in (False, True):
        with pytest.raises(ConfigError, match="is a symbolic link"):
            _run(sweep.parent, restart=restart)
    assert sorted(p.relative_to(outside) for p in outside.rglob("*")) == before
    assert target.is_symlink()


def test_folder_from_before_input_checksums_is_explained(tmp_path):
    _, data = _file_experiment(tmp_path)
    manifest_path = tmp_path / "file" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["fingerprint"] = manifest.pop("experiment_fingerprint")  # as simnet 0.1 wrote
    del manifest["inputs"]
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match="did not record the contents of its input files"):
        _run(tmp_path, data)


def test_runs_written_before_checksums_are_checked_by_reading_them(sweep, reference):
    for info_path in (sweep / "runs").glob("*/run.json"):
        info = json.loads(info_path.read_text())
        for key in ("files", "seal", "fingerprint"):
            info.pop(key)
        info_path.write_text(json.dumps(info))
    _parquet(sweep, "model").write_bytes(b"")
    _heals(sweep, reference, 1, f"{_shown('model')} is damaged (not a Parquet file)")
