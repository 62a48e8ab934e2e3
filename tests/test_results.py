"""The results store: layout, atomic run folders, the reader, the manifest, summaries."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest

from simnet.config import ConfigError
from simnet.experiment import experiment_from_dict
from simnet.metrics import GROUP_METRICS
from simnet.model import MODEL_REPORTERS
from simnet.results import (
    TABLES,
    ResultsStore,
    finished_runs,
    load_results,
    read_manifest,
    run_folder,
    table_file,
)
from simnet.runner import (
    ci95,
    final_groups,
    outcome_table,
    paired_differences,
    summary_tables,
    summary_text,
)
from simnet.sweep import build_manifest, plan_runs, run_experiment

SMALL = {
    "experiment": {"name": "small", "seed": 5, "steps": 6, "replications": 2},
    "population": {"n_agents": 60},
    "network": {"mean_degree": 4},
    "sweep": {"open_share": [0.3, 0.7]},
    "arms": {"a": {}, "b": {"decay_bad": 0.9}},
    "plots": {"figure": [{"kind": "outcomes", "metric": "opps_total", "x": "open_share"}]},
}
RUN_COLS = ["run_id", "arm", "replication", "seed", "open_share"]


@pytest.fixture(scope="module")
def small_results(tmp_path_factory):
    exp = experiment_from_dict(SMALL)
    report = run_experiment(exp, tmp_path_factory.mktemp("res"), workers=1, progress=False)
    return exp, report, load_results(report.path)


def test_layout_and_manifest(small_results):
    exp, report, _ = small_results
    root = report.path
    assert root.name == "small"
    assert (root / "manifest.json").is_file()
    assert finished_runs(root) == {s.run_id for s in plan_runs(exp)}
    run = root / "runs" / "run_id=a-p0-r0"
    assert run == run_folder(root, "a-p0-r0")
    assert {p.name for p in run.iterdir()} == {"run.json"}
    assert {p.name for p in (root / "tables").iterdir()} == set(TABLES)
    for table in TABLES:  # hive-partitioned: one folder per table, one per run inside
        assert table_file(root, table, "a-p0-r0") == \
            root / "tables" / table / "run_id=a-p0-r0" / "part-0.parquet"
        assert {p.name for p in (root / "tables" / table).iterdir()} == {
            f"run_id={s.run_id}" for s in plan_runs(exp)}
    manifest = read_manifest(root)
    assert manifest["root_seed"] == 5
    assert manifest["fingerprint"] == exp.fingerprint()
    assert manifest["arms"] == ["a", "b"] and manifest["varied"] == ["open_share"]
    assert manifest["n_runs"] == len(manifest["runs"]) == 8
    first = manifest["runs"][0]
    assert first["run_id"] == "a-p0-r0" and first["params"] == {"open_share": 0.3}
    assert isinstance(first["seed"], int)
    assert manifest["versions"]["numpy"] and manifest["versions"]["python"]
    assert "git_commit" in manifest
    assert manifest["experiment"]["experiment"]["seed"] == 5
    assert manifest["experiment"]["plots"]["figure"][0]["kind"] == "outcomes"
    assert manifest["complete"] is True
    info = json.loads((run / "run.json").read_text())
    assert info["seed"] == first["seed"] and info["n_agents"] == 60


def test_tables_have_run_columns_and_the_documented_columns(small_results):
    _, _, rs = small_results
    groups = rs.groups
    assert list(groups.columns) == [*RUN_COLS, "step", "group_by", "group", "n_agents",
                                    *GROUP_METRICS]
    assert set(groups["group_by"]) == {"strategy", "conduct_type"}
    assert sorted(groups["step"].unique()) == list(range(7))
    assert list(rs.model.columns[:6]) == [*RUN_COLS, "step"]
    assert set(MODEL_REPORTERS) <= set(rs.model.columns)
    for name in ("agents", "opportunities", "ties", "news"):
        table = getattr(rs, name)
        assert list(table.columns[:5]) == RUN_COLS, name
    assert len(rs.agents) == 8 * 60
    assert {"u", "v", "strength"} <= set(rs.ties.columns)
    # rows come in the manifest's run order
    order = [r["run_id"] for r in rs.manifest["runs"]]
    assert list(dict.fromkeys(rs.groups["run_id"])) == order
    assert rs.params == ["open_share"] and rs.missing == []
    assert list(rs.runs["run_id"]) == order
    assert {"arm", "point", "replication", "seed", "open_share", "n_agents",
            "seconds"} <= set(rs.runs.columns)


def test_any_parquet_reader_reads_one_table_across_all_runs(small_results):
    """The documented one-liners: pandas and pyarrow read ``tables/<table>`` of a real
    sweep as one table, recovering ``run_id`` from the folder names, with the same rows
    as load_results."""
    import pyarrow.dataset as ds

    _, report, rs = small_results
    for name in TABLES:
        expected = getattr(rs, name)
        by_pandas = pd.read_parquet(report.path / "tables" / name)
        by_arrow = ds.dataset(report.path / "tables" / name, partitioning="hive"
                              ).to_table().to_pandas()
        for table in (by_pandas, by_arrow):
            assert set(table["run_id"].astype(str)) == set(rs.runs["run_id"]), name
            table = table.assign(run_id=table["run_id"].astype(str))[expected.columns]
            key = ["run_id", *(c for c in ("step", "group_by", "group", "agent", "u", "v")
                               if c in expected.columns)]
            pd.testing.assert_frame_equal(
                table.sort_values(key, kind="stable").reset_index(drop=True),
                expected.sort_values(key, kind="stable").reset_index(drop=True),
                check_dtype=False, obj=name)


def test_a_table_without_rows_writes_no_file_and_reads_back_empty(tmp_path):
    exp = experiment_from_dict(SMALL)
    with ResultsStore.open(tmp_path / "x", build_manifest(exp, plan_runs(exp))) as store:
        store.write_run("a-p0-r0", {"groups": pd.DataFrame({"run_id": ["a-p0-r0"],
                                                            "x": [1.5]}),
                                    "news": pd.DataFrame({"x": []})}, {})
    assert table_file(tmp_path / "x", "groups", "a-p0-r0").is_file()
    assert not (tmp_path / "x" / "tables" / "news").exists()
    rs = load_results(tmp_path / "x", strict=False)
    assert list(rs.groups.columns) == ["run_id", "x"] and rs.news.empty
    assert pd.read_parquet(tmp_path / "x" / "tables" / "groups")["x"].tolist() == [1.5]


def _to_the_older_layout(root):
    """Rewrite a results folder as simnet wrote it before format 3: runs/<run_id>/ with
    every table as <table>.parquet (run_id included) and its run.json."""
    from simnet.results import _sealed_json, file_digest

    for folder in sorted((root / "runs").iterdir()):
        run_id = folder.name.removeprefix("run_id=")
        info = json.loads((folder / "run.json").read_text())
        old = root / "runs" / run_id
        old.mkdir()
        files = {}
        for table in info["tables"]:
            path = table_file(root, table, run_id)
            data = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
            data.insert(0, "run_id", run_id)
            data.to_parquet(old / f"{table}.parquet", index=False)
            files[f"{table}.parquet"] = {"size": (old / f"{table}.parquet").stat().st_size,
                                         "sha256": file_digest(old / f"{table}.parquet")}
        for key in ("empty", "seal"):
            info.pop(key)
        (old / "run.json").write_text(_sealed_json({**info, "files": files}))
        shutil.rmtree(folder)
    shutil.rmtree(root / "tables")
    manifest = json.loads((root / "manifest.json").read_text())
    (root / "manifest.json").write_text(json.dumps({**manifest, "format": 2}))


def test_a_folder_of_the_older_layout_is_read_but_not_added_to(small_results, tmp_path):
    exp, report, rs = small_results
    old = tmp_path / "small"
    shutil.copytree(report.path, old)
    _to_the_older_layout(old)
    assert (old / "runs" / "a-p0-r0" / "groups.parquet").is_file()
    assert finished_runs(old) == set(rs.runs["run_id"])
    again = load_results(old)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(rs, name), obj=name)
    before = sorted(str(p.relative_to(old)) for p in old.rglob("*"))
    with pytest.raises(ConfigError, match=r"layout of an older simnet \(runs/a-p0-r0/<table>"
                                          r"\.parquet\).*--restart.*--out"):
        run_experiment(exp, tmp_path, workers=1, progress=False)
    assert sorted(str(p.relative_to(old)) for p in old.rglob("*")) == before


def test_crn_seeds_in_the_tables(small_results):
    _, _, rs = small_results
    seeds = rs.runs.groupby("replication")["seed"].nunique()
    assert (seeds == 1).all()  # every arm and point of a replication shares its seed
    assert rs.runs["seed"].nunique() == 2


def test_output_keeps_every_kth_step_chosen_metrics_and_tables(tmp_path):
    exp = experiment_from_dict({**SMALL, "arms": {"a": {}}, "sweep": {"open_share": [0.5]},
                                "experiment": {"name": "thin", "seed": 1, "steps": 7,
                                               "replications": 1},
                                "output": {"every": 3, "metrics": ["opps_total", "degree"],
                                           "model_metrics": ["ties"],
                                           "tables": ["groups", "model", "ties"],
                                           "ties_max_agents": 50}})
    report = run_experiment(exp, tmp_path, workers=1, progress=False)
    rs = load_results(report.path)
    assert sorted(rs.groups["step"].unique()) == [0, 3, 6, 7]
    assert list(rs.groups.columns[-2:]) == ["opps_total", "degree"]
    assert list(rs.model.columns) == [*RUN_COLS, "step", "ties"]
    assert rs.agents.empty and rs.opportunities.empty
    assert rs.ties.empty  # 60 agents > ties_max_agents = 50


def test_a_failed_write_leaves_no_run_and_no_temporary_folder(tmp_path):
    exp = experiment_from_dict(SMALL)
    with ResultsStore.open(tmp_path / "x", build_manifest(exp, plan_runs(exp))) as store:
        bad = pd.DataFrame({"a": [1, "two", 3.0]})  # mixed types: Parquet refuses it
        with pytest.raises(Exception):  # noqa: B017 - whatever pyarrow raises
            store.write_run("a-p0-r0", {"groups": pd.DataFrame({"x": [1]}), "bad": bad}, {})
        assert finished_runs(store.root) == set()
        assert list(store.runs.iterdir()) == []


def test_a_write_failed_in_the_background_is_raised_and_the_folder_released(tmp_path):
    exp = experiment_from_dict(SMALL)
    manifest = build_manifest(exp, plan_runs(exp))
    store = ResultsStore.open(tmp_path / "x", manifest)
    bad = pd.DataFrame({"a": [1, "two", 3.0]})  # mixed types: Parquet refuses it
    store.submit_run("a-p0-r0", lambda: {"bad": bad}, {})
    with pytest.raises(Exception):  # noqa: B017 - whatever pyarrow raises
        store.close()
    assert finished_runs(tmp_path / "x") == set()
    ResultsStore.open(tmp_path / "x", manifest).close()  # the lock was released


def test_a_folder_is_locked_while_a_sweep_writes(tmp_path):
    exp = experiment_from_dict(SMALL)
    manifest = build_manifest(exp, plan_runs(exp))
    with ResultsStore.open(tmp_path / "x", manifest):
        with pytest.raises(ConfigError, match="in use by another simnet run"):
            ResultsStore.open(tmp_path / "x", manifest)
    ResultsStore.open(tmp_path / "x", manifest).close()  # released


def test_reader_refuses_folders_that_are_not_results(tmp_path):
    with pytest.raises(ConfigError, match="no such results folder"):
        load_results(tmp_path / "nope")
    with pytest.raises(ConfigError, match=r"manifest\.json missing"):
        load_results(tmp_path)


def test_ci95():
    mean, half, n = ci95([1.0, 2.0, 3.0])
    assert (mean, n) == (2.0, 3)
    assert half == pytest.approx(4.302653 / math.sqrt(3), rel=1e-5)
    assert math.isnan(ci95([4.0])[1])
    assert ci95([np.nan, 1.0, 3.0])[0] == 2.0


def _groups(values: dict[tuple[str, int, str], float]) -> pd.DataFrame:
    rows = []
    for (arm, rep, group), value in values.items():
        rows.append({"run_id": f"{arm}-r{rep}", "arm": arm, "replication": rep, "seed": rep,
                     "step": 5, "group_by": "strategy", "group": group,
                     "n_agents": 10 if group == "open" else 30, "opps_total": value,
                     "requests_sent": 4.0, "requests_accepted": 1.0})
    return pd.DataFrame(rows)


def test_population_mean_and_paired_differences():
    groups = _groups({("a", 0, "open"): 1.0, ("a", 0, "selective"): 2.0,
                      ("a", 1, "open"): 3.0, ("a", 1, "selective"): 4.0,
                      ("b", 0, "open"): 2.0, ("b", 0, "selective"): 2.0,
                      ("b", 1, "open"): 5.0, ("b", 1, "selective"): 4.0})
    final = final_groups(groups)
    everyone = final[(final["group"] == "all") & (final["run_id"] == "a-r0")]
    assert everyone["opps_total"].item() == pytest.approx((10 * 1 + 30 * 2) / 40)
    assert everyone["n_agents"].item() == 40
    assert (final["acceptance"] == 0.25).all()
    outcomes = outcome_table(groups, [], ["a", "b"])
    row = outcomes[(outcomes["arm"] == "a") & (outcomes["group"] == "open")]
    assert row["opps_total"].item() == 2.0 and row["runs"].item() == 2
    diffs = paired_differences(groups, [], "a", ["a", "b"])
    open_ = diffs[diffs["group"] == "open"]
    assert open_["arm"].item() == "b - a"
    assert open_["opps_total"].item() == pytest.approx(1.5)  # (2-1 + 5-3) / 2
    assert open_["pairs"].item() == 2
    # identical differences in both replications: zero-width interval
    sel = diffs[diffs["group"] == "selective"]
    assert sel["opps_total"].item() == 0.0 and sel["opps_total_ci"].item() == 0.0


def test_summary_of_a_sweep(small_results):
    _, _, rs = small_results
    tables = summary_tables(rs)
    outcomes = tables["outcomes"]
    assert {"arm", "open_share", "group", "runs", "opps_total", "opps_total_ci"} <= set(
        outcomes.columns)
    assert set(outcomes["runs"]) == {2}
    assert set(tables["differences"]["arm"]) == {"b - a"}
    if not rs.news.empty:
        assert set(tables["news"]["runs"]) == {2}
        assert (tables["news"]["aware_share"] > 0).all()
    if not rs.opportunities.empty:
        weak = tables["weak_ties"]  # shares of each run's opportunities add up to 1
        shares = weak.groupby(["arm", "open_share", "by"])["share"].sum()
        assert shares.round(9).eq(1.0).all()
    text = summary_text(rs, tables)
    assert "Answer: paired differences" in text and "b - a (whole population)" in text


def test_sobol_design_reports_sensitivity_indices(tmp_path):
    exp = experiment_from_dict({
        "experiment": {"name": "sens", "seed": 8, "steps": 4, "replications": 1},
        "population": {"n_agents": 60}, "network": {"mean_degree": 4},
        "sweep": {"design": "sobol", "samples": 2, "second_order": False,
                  "bounds": {"open_share": [0.0, 1.0], "decay_bad": [0.1, 0.9]}}})
    report = run_experiment(exp, tmp_path, workers=1, progress=False)
    rs = load_results(report.path)
    assert len(rs.runs) == 2 * (2 + 2)
    assert rs.manifest["design"] == "sobol"
    sobol = summary_tables(rs)["sobol"]
    assert set(sobol["parameter"]) == {"open_share", "decay_bad"}
    assert {"S1", "S1_ci", "ST", "ST_ci", "outcome"} <= set(sobol.columns)


def test_arrow_tables_are_written_as_pandas_would_write_them(tmp_path):
    """The store's Arrow path (identity columns as constants, no pandas metadata) gives
    the column types and values that DataFrame.to_parquet gave, categoricals as strings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from simnet.results import arrow_table, with_columns_in_front

    frame = pd.DataFrame({
        "step": np.arange(4, dtype=np.int64), "u": np.arange(4, dtype=np.int32),
        "x": [0.5, np.nan, 1.0, 2.0], "ok": [True, False, True, True],
        "group": pd.Categorical(["a", "b", "a", None]), "name": ["p", None, "q", "r"],
        "arm": ["clash"] * 4})
    columns = {"run_id": "r1", "arm": "base", "replication": 2, "seed": 2**62 + 1,
               "share": 0.25, "flag": True, "none": None, "nan": math.nan}
    expected = frame.drop(columns="arm").assign(group=frame["group"].astype(object))
    for i, (name, value) in enumerate(columns.items()):
        expected.insert(i, name, value)
    expected.to_parquet(tmp_path / "old.parquet", index=False)
    pq.write_table(with_columns_in_front(arrow_table(frame), columns), tmp_path / "new.parquet")
    old, new = (pq.read_table(tmp_path / f"{n}.parquet") for n in ("old", "new"))
    # the store writes strings as large_string whatever the pandas (so runs written under
    # different ones concatenate), as pandas 3 does; pandas 2 writes them as string
    old = old.cast(pa.schema([pa.field(f.name, pa.large_string()) if pa.types.is_string(f.type)
                              else f for f in old.schema], metadata=old.schema.metadata))
    assert new.schema.remove_metadata().equals(old.schema.remove_metadata())
    assert new.column_names[:8] == list(columns)
    assert new.replace_schema_metadata(None).equals(old.replace_schema_metadata(None))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "new.parquet"),
                                  pd.read_parquet(tmp_path / "old.parquet"))


def test_numeric_columns_from_pandas_blocks_equal_the_column_by_column_path():
    """arrow_table reads numeric columns from pandas' blocks: the same Arrow table as
    converting each column's Series, for consolidated and unconsolidated frames, 2-D
    blocks of either memory order, filtered rows, chosen columns, repeated names and no
    rows or columns."""
    import pyarrow as pa

    from simnet.results import _column_array, arrow_table

    def by_column(frame):
        return pa.Table.from_arrays([_column_array(frame.iloc[:, i])
                                     for i in range(frame.shape[1])],
                                    names=[str(c) for c in frame.columns])

    rng = np.random.default_rng(5)
    mixed = pd.DataFrame({
        "i": np.arange(6, dtype=np.int64), "u8": np.arange(6, dtype=np.uint8),
        "i32": np.arange(6, dtype=np.int32), "f": [0.5, np.nan, 1.0, 2.0, np.inf, -0.0],
        "b": [True, False] * 3, "cat": pd.Categorical(["a", "b", None, "a", "b", "a"]),
        "s": ["p", None, "q", "r", "s", "t"],
        "o": pd.Series(["x", None, "y", "z", "w", "v"], dtype=object),
        "g": rng.random(6)})
    unconsolidated = pd.DataFrame({"a": np.arange(3.0)})
    for k in range(4):  # one block per inserted column
        unconsolidated.insert(0, f"c{k}", np.arange(3, dtype=np.int64) * k)
    frames = [
        mixed, mixed[mixed["b"]], mixed[["g", "i", "s", "f"]], unconsolidated,
        pd.DataFrame(rng.random((5, 3)), columns=list("xyz")),  # a Fortran-ordered block
        pd.DataFrame(np.ascontiguousarray(rng.integers(0, 9, (5, 3))), columns=list("xyz")),
        pd.DataFrame(rng.random((4, 3)), columns=["d", "d", "e"]),
        mixed.iloc[0:0], pd.DataFrame(index=range(3)), pd.DataFrame()]
    for frame in frames:
        fast = arrow_table(frame)
        assert fast.schema.equals(by_column(frame).schema)
        assert fast.equals(by_column(frame)), list(frame.columns)


def test_a_runs_shared_identity_columns_encode_as_one_per_table():
    """RunOutput.parquet makes each identity column once for all of a run's tables:
    the same Parquet bytes as making it for each table."""
    from simnet.results import EncodedTable, arrow_table, with_columns_in_front
    from simnet.runner import execute_run
    from simnet.sweep import make_tasks

    exp = experiment_from_dict(SMALL)
    output = execute_run(make_tasks(exp, plan_runs(exp)[:1])[0])
    columns = {k: v for k, v in output.spec.columns().items() if k != "run_id"}
    each = {name: EncodedTable.of(with_columns_in_front(arrow_table(frame), columns))
            for name, frame in output.frames.items()}
    shared = output.parquet()
    assert set(shared) == set(each)
    for name in each:
        assert shared[name].rows == each[name].rows
        assert bytes(shared[name].data) == bytes(each[name].data), name


def test_package_versions_are_a_new_dict_each_time():
    from simnet.results import package_versions

    first = package_versions()
    first["numpy"] = "changed"
    assert package_versions()["numpy"] != "changed"


def test_git_commit_asks_git_again_only_when_the_source_may_have_changed(tmp_path,
                                                                         monkeypatch):
    """git_commit keeps its answer while the files and git's HEAD and index are as they
    were; an edit or a commit between two calls is still seen."""
    import os
    import subprocess
    import time

    from simnet import results

    if shutil.which("git") is None:
        pytest.skip("no git")
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.py").write_text("x = 1\n")

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                       cwd=src, check=True, capture_output=True)

    git("init", "-q")
    git("add", "a.py")
    git("commit", "-qm", "one")
    monkeypatch.setattr(results, "RACY_NS", 0)  # no waiting for the clock's grain
    asked = []
    real = results._ask_git_commit
    monkeypatch.setattr(results, "_ask_git_commit", lambda here: asked.append(1) or real(here))
    first = results.git_commit(src)
    assert first and not first.endswith("+dirty")
    assert results.git_commit(src) == first and len(asked) == 1
    (src / "a.py").write_text("x = 22\n")  # an edit
    assert results.git_commit(src) == first + "+dirty" and len(asked) == 2
    git("commit", "-qam", "two")
    second = results.git_commit(src)
    assert second != first and not second.endswith("+dirty") and len(asked) == 3
    monkeypatch.setattr(results, "RACY_NS", 10**18)  # every file counts as just changed
    os.utime(src / "a.py", ns=(time.time_ns(), time.time_ns()))
    results.git_commit(src)
    results.git_commit(src)
    assert len(asked) == 5


def test_a_run_written_from_arrow_or_pandas_tables_reads_back_the_same(tmp_path):
    from simnet.results import file_digest, read_run_info
    from simnet.runner import with_run_columns

    exp = experiment_from_dict(SMALL)
    frame = pd.DataFrame({"step": [0, 1], "x": [1.5, 2.5]})
    ids = {"run_id": "a-p0-r0", "arm": "a", "replication": 0, "seed": 7}
    roots = []
    for kind in ("arrow", "pandas"):
        root = tmp_path / kind
        table = with_run_columns(frame, ids)
        with ResultsStore.open(root, build_manifest(exp, plan_runs(exp))) as store:
            store.write_run("a-p0-r0", {"groups": table if kind == "arrow"
                                        else table.to_pandas()}, {})
        info = read_run_info(run_folder(root, "a-p0-r0"))
        for name, record in info["files"].items():  # recorded from the encoded bytes
            assert record == {"size": (root / name).stat().st_size,
                              "sha256": file_digest(root / name)}
        roots.append(root)
    a, b = (load_results(r, strict=False).groups for r in roots)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["run_id", "arm", "replication", "seed", "step", "x"]


def test_a_run_is_flushed_file_by_file_then_renamed_with_run_json_last(tmp_path, monkeypatch):
    """Every file is fsynced before any rename, run.json's folder is renamed last, and
    one directory fsync (of runs/) follows: not one per table folder."""
    import os

    exp = experiment_from_dict(SMALL)
    events = []
    fsync, rename = os.fsync, os.rename

    def logged_fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")
                       if os.path.exists("/proc/self/fd") else "?"))
        return fsync(fd)

    def logged_rename(src, dst):
        events.append(("rename", str(dst)))
        return rename(src, dst)

    frame = pd.DataFrame({"x": [1.0]})
    with ResultsStore.open(tmp_path / "x", build_manifest(exp, plan_runs(exp))) as store:
        monkeypatch.setattr(os, "fsync", logged_fsync)
        monkeypatch.setattr(os, "rename", logged_rename)
        store.write_run("a-p0-r0", {"groups": frame, "model": frame, "agents": frame}, {})
        monkeypatch.undo()
    kinds = [kind for kind, _ in events]
    assert kinds == ["fsync"] * 4 + ["rename"] * 4 + ["fsync"]
    assert events[-2][1] == str(run_folder(tmp_path / "x", "a-p0-r0"))
    if events[-1][1] != "?":
        assert events[-1][1] == str(tmp_path / "x" / "runs")
    monkeypatch.setenv("SIMNET_FSYNC", "0")
    events.clear()
    with ResultsStore.open(tmp_path / "x", build_manifest(exp, plan_runs(exp))) as store:
        monkeypatch.setattr(os, "fsync", logged_fsync)
        store.write_run("a-p0-r1", {"groups": frame}, {})
        monkeypatch.undo()
    assert [kind for kind, _ in events] == []


def test_a_large_manifest_is_updated_not_replaced(tmp_path, monkeypatch):
    """A sweep of thousands of runs has a manifest of several MB (3,360 runs of the
    sensitivity screen: 7.5 MB); finishing the sweep adds to it and keeps every run."""
    from simnet import results as results_module

    exp = experiment_from_dict(SMALL)
    manifest = build_manifest(exp, plan_runs(exp))
    manifest["padding"] = "x" * (results_module.MAX_RUN_INFO_BYTES + 1)  # beyond run.json's cap
    with ResultsStore.open(tmp_path / "x", manifest) as store:
        store.update_manifest(complete=True)
    kept = json.loads((tmp_path / "x" / "manifest.json").read_text())
    assert kept["complete"] is True
    assert kept["runs"] == json.loads(json.dumps(manifest["runs"], default=str))
    # resuming reads it too: same experiment, nothing to rebuild; another one is refused
    assert ResultsStore.check(tmp_path / "x", manifest) == []
    with pytest.raises(ConfigError, match="holds results of"):
        ResultsStore.check(tmp_path / "x", {**manifest, "fingerprint": "another"})
    # a manifest that cannot be read is left as it is, never replaced by the new fields
    monkeypatch.setattr(results_module, "MAX_MANIFEST_BYTES", 10)
    with ResultsStore.open(tmp_path / "y", build_manifest(exp, plan_runs(exp))) as store:
        before = (tmp_path / "y" / "manifest.json").read_bytes()
        with pytest.raises(ConfigError, match="unreadable manifest, left as it is"):
            store.update_manifest(complete=True)
    assert (tmp_path / "y" / "manifest.json").read_bytes() == before
