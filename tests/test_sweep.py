"""Runs, seeds (common random numbers), designs and executors."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from simnet.config import ConfigError
from simnet.experiment import experiment_from_dict
from simnet.results import load_results
from simnet.runner import execute_run
from simnet.sweep import (
    design_points,
    estimate_seconds,
    make_tasks,
    plan_runs,
    preflight,
    replication_seeds,
    results_dir,
    run_experiment,
)

TINY = {
    "experiment": {"name": "tiny", "seed": 11, "steps": 5, "replications": 2},
    "population": {"n_agents": 60},
    "network": {"mean_degree": 4},
    "sweep": {"open_share": [0.2, 0.8]},
    "arms": {"slow": {"decay_bad": 0.3}, "fast": {"decay_bad": 0.9}},
}


def tiny(**changes) -> dict:
    data = copy.deepcopy(TINY)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_replication_seeds_are_spawned_from_the_root():
    seeds = replication_seeds(5, 4)
    assert seeds == replication_seeds(5, 4)
    assert len(set(seeds)) == 4
    assert seeds[:2] == replication_seeds(5, 2)  # more replications keep the first ones
    assert seeds != replication_seeds(6, 4)
    children = np.random.SeedSequence(5).spawn(4)
    assert seeds[0] == int(children[0].generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    assert all(0 <= s < 2**63 for s in seeds)


def test_plan_shares_each_replications_seed_across_arms_and_points():
    exp = experiment_from_dict(TINY)
    plan = plan_runs(exp)
    assert len(plan) == exp.n_runs() == 8
    assert len({r.run_id for r in plan}) == 8
    seeds = replication_seeds(11, 2)
    for spec in plan:
        assert spec.seed == seeds[spec.replication]
    # replication-major order: the first runs finished are complete comparisons
    assert [r.replication for r in plan] == [0] * 4 + [1] * 4
    assert plan[0].run_id == "slow-p0-r0" and plan[1].run_id == "fast-p0-r0"
    assert plan[0].params == {"open_share": 0.2}


def test_grid_points_are_every_combination():
    exp = experiment_from_dict(tiny(sweep={"open_share": [0.2, 0.8], "max_hops": [1, 2, 3]},
                                    arms=None))
    points = design_points(exp)
    assert len(points) == 6
    assert points[0] == {"open_share": 0.2, "max_hops": 1}
    assert points[-1] == {"open_share": 0.8, "max_hops": 3}


def test_sampled_designs_are_reproducible_and_within_bounds():
    lhs = experiment_from_dict(tiny(arms=None, sweep={
        "design": "lhs", "samples": 8,
        "bounds": {"open_share": [0.1, 0.9], "max_hops": [1, 4]}}))
    points = design_points(lhs)
    assert points == design_points(lhs)
    assert len(points) == 8
    shares = [p["open_share"] for p in points]
    assert all(0.1 <= s <= 0.9 for s in shares)
    # a Latin hypercube puts one sample in each of the 8 strata
    assert sorted(int((s - 0.1) / 0.8 * 8) for s in shares) == list(range(8))
    assert all(isinstance(p["max_hops"], int) and 1 <= p["max_hops"] <= 4 for p in points)
    sobol = experiment_from_dict(tiny(arms=None, sweep={
        "design": "sobol", "samples": 4,
        "bounds": {"open_share": [0.1, 0.9], "decay_bad": [0.2, 0.9]}}))
    assert len(design_points(sobol)) == 4 * 6 == sobol.sweep.n_points()
    assert len(plan_runs(sobol)) == 4 * 6 * 2


def test_same_seed_same_tables_and_different_seed_differs():
    exp = experiment_from_dict(tiny(arms=None, sweep=None))
    a, b = (execute_run(t) for t in make_tasks(exp, plan_runs(exp)[:1]) * 2)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name].to_pandas(), b.tables[name].to_pandas())
    other = make_tasks(exp, plan_runs(exp)[1:2])[0]
    c = execute_run(other)
    assert not a.tables["agents"]["degree"].equals(c.tables["agents"]["degree"])


def test_an_encoded_output_gives_the_same_tables_and_carries_only_bytes():
    """A worker encodes its runs before handing them back: the tables decoded from that
    Parquet equal the ones made from the model's DataFrames."""
    import pickle

    exp = experiment_from_dict(tiny(arms=None, sweep=None))
    task = make_tasks(exp, plan_runs(exp)[:1])[0]
    plain = execute_run(task)
    encoded = pickle.loads(pickle.dumps(execute_run(task).encode()))
    assert encoded.frames == {} and set(encoded.encoded) == set(plain.frames)
    for name, table in plain.tables.items():
        if table.num_rows:
            assert encoded.tables[name].equals(table), name
            assert encoded.tables[name].column_names[:4] == ["run_id", "arm", "replication",
                                                             "seed"]
        else:
            assert encoded.encoded[name].rows == 0


def test_crn_arms_start_from_the_same_network():
    exp = experiment_from_dict(tiny(sweep=None, experiment={
        "name": "crn", "seed": 3, "steps": 1, "replications": 1}))
    from simnet.model import ReputationModel

    tasks = make_tasks(exp, plan_runs(exp))
    starts = [ReputationModel(t.model, rng=t.spec.seed, create_agents=False).ties_table()
              if hasattr(ReputationModel, "ties_table") else None for t in tasks]
    if starts[0] is not None:
        pd.testing.assert_frame_equal(starts[0], starts[1])


def test_preflight_reports_model_refusals_before_anything_is_written(tmp_path):
    # Only the generator can tell that 59 communities of 60 agents cannot hold their ties.
    exp = experiment_from_dict(tiny(arms=None, network={"kind": "communities",
                                                        "mean_degree": 4},
                                    sweep={"n_blocks": [2, 59]}))
    with pytest.raises(ConfigError) as err:
        run_experiment(exp, tmp_path, workers=1, progress=False)
    assert "communities" in str(err.value) and "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ConfigError):
        preflight(make_tasks(exp, plan_runs(exp)))


def test_estimate_is_positive_and_grows_with_size():
    small = experiment_from_dict(tiny())
    big = experiment_from_dict(tiny(population={"n_agents": 600}))
    assert 0 < estimate_seconds(small) < estimate_seconds(big)


def test_resume_runs_only_what_is_missing(tmp_path):
    exp = experiment_from_dict(tiny())
    first = run_experiment(exp, tmp_path, workers=1, progress=False)
    assert (first.done, first.skipped) == (8, 0)
    again = run_experiment(exp, tmp_path, workers=1, progress=False)
    assert (again.done, again.skipped) == (0, 8)
    full = load_results(first.path)
    # lose two runs (and leave a half-written one behind, as a killed sweep would)
    runs = first.path / "runs"
    import shutil

    for run_id in ("fast-p1-r0", "slow-p0-r1"):
        shutil.rmtree(runs / f"run_id={run_id}")
    partial = first.path / "tables" / "groups" / ".run_id=fast-p1-r0.abc.tmp"
    partial.mkdir()
    (partial / "part-0.parquet").write_bytes(b"PAR1 truncated")
    assert sorted(load_results(first.path).missing) == ["fast-p1-r0", "slow-p0-r1"]
    resumed = run_experiment(exp, tmp_path, workers=1, progress=False)
    assert (resumed.done, resumed.skipped) == (2, 6)
    assert not partial.exists()
    after = load_results(first.path)
    for name in ("groups", "model", "agents", "opportunities", "ties", "news"):
        pd.testing.assert_frame_equal(getattr(full, name), getattr(after, name))


def test_changed_experiment_is_refused_unless_restarted(tmp_path):
    exp = experiment_from_dict(tiny(arms=None))
    run_experiment(exp, tmp_path, workers=1, progress=False)
    changed = experiment_from_dict(tiny(arms=None, population={"n_agents": 70}))
    before = sorted(p.name for p in (results_dir(exp, tmp_path) / "runs").iterdir())
    with pytest.raises(ConfigError, match="--restart"):
        run_experiment(changed, tmp_path, workers=1, progress=False)
    assert sorted(p.name for p in (results_dir(exp, tmp_path) / "runs").iterdir()) == before
    report = run_experiment(changed, tmp_path, workers=1, progress=False, restart=True)
    assert report.done == 4
    assert set(load_results(report.path).agents.groupby("run_id").size()) == {70}


def test_quick_size_writes_its_own_folder(tmp_path):
    exp = experiment_from_dict(tiny(arms=None, sweep=None))
    report = run_experiment(exp.with_quick(), tmp_path, workers=1, progress=False)
    assert report.path.name == "tiny_quick"


def _tables(path):
    rs = load_results(path)
    runs = rs.runs.drop(columns=["seconds", "finished"])
    return {"runs": runs, **{n: getattr(rs, n) for n in
                             ("groups", "model", "agents", "opportunities", "ties", "news")}}


def test_one_worker_two_workers_and_a_local_dask_cluster_give_identical_tables(tmp_path):
    exp = experiment_from_dict(tiny(experiment={"name": "same", "seed": 2, "steps": 4,
                                                "replications": 2}))
    one = run_experiment(exp, tmp_path / "one", workers=1, progress=False)
    two = run_experiment(exp, tmp_path / "two", workers=2, progress=False)
    dask = run_experiment(exp, tmp_path / "dask", workers=2, scheduler="local",
                          progress=False)
    assert one.executor == "in-process" and two.executor.startswith("2 workers")
    assert dask.executor.startswith("Dask")
    reference = _tables(one.path)
    assert len(reference["groups"]) > 0 and len(reference["agents"]) == 8 * 60
    for other in (two.path, dask.path):
        tables = _tables(other)
        for name, table in reference.items():
            pd.testing.assert_frame_equal(table, tables[name], obj=name)


def test_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("simnet.sweep.CONNECT_TIMEOUT", "1s")
    exp = experiment_from_dict(tiny(arms=None, sweep=None))
    with pytest.raises(ConfigError, match="cannot connect to a Dask scheduler"):
        list(__import__("simnet.sweep", fromlist=["iter_outputs"]).iter_outputs(
            make_tasks(exp, plan_runs(exp)), 1, "tcp://127.0.0.1:9"))


def test_resuming_with_another_simnet_version_says_so(tmp_path):
    import json
    import shutil

    exp = experiment_from_dict(tiny(arms=None, sweep=None))
    first = run_experiment(exp, tmp_path, workers=1, progress=False)
    assert first.notes == []
    manifest = first.path / "manifest.json"
    data = json.loads(manifest.read_text())
    data["git_commit"] = "0123abc"
    manifest.write_text(json.dumps(data))
    shutil.rmtree(first.path / "runs" / "run_id=base-r1")
    again = run_experiment(exp, tmp_path, workers=1, progress=False)
    assert again.done == 1
    assert len(again.notes) == 1 and "another version of simnet" in again.notes[0]
