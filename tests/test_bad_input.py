"""Bad input is refused before anything is written: one line naming the file or field,
exit status 2, no traceback, no results folder (the findings of issue 14)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from simnet.cli import main

GOOD = """
[experiment]
name = "bad"
seed = 3
steps = 3
replications = 1

[population]
n_agents = 40

[network]
mean_degree = 4
"""


def refused(capsys, *args: str, fragment: str, out: Path | None = None) -> str:
    """Run ``simnet ARGS`` in-process; assert the one-line refusal and return it."""
    code = main(list(args))
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured.err + captured.out
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("simnet: error: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in captured.err + captured.out
    if out is not None:
        assert not out.exists() or not any(out.iterdir()), list(out.rglob("*"))
    return lines[0]


def write(tmp_path: Path, text: str | bytes, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def run_args(path: Path, out: Path, *more: str) -> list[str]:
    return ["run", str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-plots",
            *more]


# --------------------------------------------------------------------------- files

@pytest.mark.parametrize("content, fragment", [
    (bytes(range(1, 256)) * 2, "not UTF-8 text"),  # random-looking, no NUL
    (b"[experiment]\nname = \"x\"\x00\x01\x02", "a binary file"),
    ("[experiment]\nx = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("[experiment]\n" + ".".join(["a"] * 5000) + " = 1\n", "nested too deeply"),
    ("# " + "x" * (2 << 20) + "\n", "too big for an experiment file"),
])
def test_unreadable_experiment_files_are_refused(tmp_path, capsys, content, fragment):
    path = write(tmp_path, content)
    out = tmp_path / "out"
    line = refused(capsys, *run_args(path, out), fragment=fragment, out=out)
    assert str(path) in line
    refused(capsys, "check", str(path), fragment=fragment)


def test_device_is_refused_without_reading_it(tmp_path, capsys):
    out = tmp_path / "out"
    refused(capsys, *run_args(Path("/dev/zero"), out), fragment="not a regular file",
            out=out)


def test_fifo_is_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "exp.toml"
    os.mkfifo(fifo)
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(["check", str(fifo)])),
                              daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # unblock the reader, then fail
        with open(fifo, "w"):
            pass
        pytest.fail("simnet blocked on a FIFO")
    assert result == [2]
    assert "not a regular file" in capsys.readouterr().err


# --------------------------------------------------------------------------- edge lists

def _file_network(tmp_path: Path, edges: str | bytes | None = None,
                  path: str | None = None) -> Path:
    if path is None:
        path = str(write(tmp_path, edges, "edges.txt"))
    return write(tmp_path, GOOD.replace("mean_degree = 4", f'kind = "file"\npath = "{path}"'))


@pytest.mark.parametrize("edges, fragment", [
    ("0 99999999999999999999999\n1 2\n2 3\n", "line 1: node id '99999999999999999999999' "
                                             "is out of range"),
    ("1 2\n2 3\n3 -99999999999999999999999\n", "line 3: node id"),
    ("1 1\n", "no ties between two distinct nodes"),
    ("hello\nworld\n", "expected two fields"),
    ("\x00\x01garbage\x02", "looks binary"),
    ("# only a comment\n", "holds no data"),
])
def test_bad_edge_lists_are_refused_by_check_and_run(tmp_path, capsys, edges, fragment):
    exp = _file_network(tmp_path, edges)
    refused(capsys, "check", str(exp), fragment=fragment)
    out = tmp_path / "out"
    refused(capsys, *run_args(exp, out), fragment=fragment, out=out)


def test_device_as_edge_list_is_not_called_a_directory(tmp_path, capsys):
    exp = _file_network(tmp_path, path="/dev/zero")
    line = refused(capsys, "check", str(exp), fragment="not a regular file")
    assert "directory" not in line


# --------------------------------------------------------------------------- experiment

@pytest.mark.parametrize("figure, fragment", [
    ('kind = "outcomes"\nmetric = "opps_total"\nwidth = -5', "width = -5 is out of range"),
    ('kind = "weak_ties"\ny = "nonesuch"', "y = 'nonesuch': a weak_ties figure shows"),
    ('kind = "differences"\nmetric = "opps_total"\nbetween = "arm"',
     "between = 'arm' needs at least two [arms.NAME]"),
])
def test_bad_figure_specs_are_refused_by_check(tmp_path, capsys, figure, fragment):
    path = write(tmp_path, GOOD + f"\n[[plots.figure]]\n{figure}\n")
    refused(capsys, "check", str(path), fragment=fragment)
    out = tmp_path / "out"
    refused(capsys, *run_args(path, out), fragment=fragment, out=out)


def test_runs_bigger_than_the_machine_are_refused(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace("n_agents = 40", "n_agents = 10000000"))
    out = tmp_path / "out"
    refused(capsys, *run_args(path, out), fragment="--ignore-memory", out=out)
    refused(capsys, "check", str(path), fragment="more than this machine's")
    assert main(["check", str(path), "--ignore-memory"]) == 0
    assert "estimated memory:" in capsys.readouterr().out
    quick = write(tmp_path, GOOD + "\n[quick]\nn_agents = 10000000\n", "quick.toml")
    refused(capsys, *run_args(quick, out, "--quick"), fragment="--ignore-memory", out=out)


def test_news_only_tables_finish_without_error(tmp_path, capsys):
    path = write(tmp_path, GOOD + '\n[output]\ntables = ["news"]\n')
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--workers", "1",
                 "--quiet"]) == 0
    assert "no finished runs" not in capsys.readouterr().err


# --------------------------------------------------------------------------- options

def test_out_naming_a_file_is_refused(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    out = write(tmp_path, "a file", "out.txt")
    refused(capsys, *run_args(path, out), fragment="exists and is not a folder")
    assert out.read_text() == "a file"


@pytest.mark.parametrize("address", ["bogus://x", "tcp://host", "tcp://host:99999",
                                     "tcp://a b:1"])
def test_malformed_scheduler_address_is_refused(tmp_path, capsys, address):
    path = write(tmp_path, GOOD)
    out = tmp_path / "out"
    refused(capsys, *run_args(path, out, "--scheduler", address),
            fragment="expected 'local' or a Dask scheduler address", out=out)


def test_unreachable_scheduler_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("simnet.sweep.CONNECT_TIMEOUT", "1s")
    path = write(tmp_path, GOOD)
    out = tmp_path / "out"
    refused(capsys, *run_args(path, out, "--scheduler", "tcp://127.0.0.1:9"),
            fragment="cannot connect to a Dask scheduler", out=out)


@pytest.mark.parametrize("host, warns", [("127.0.0.1", False), ("localhost", False),
                                         ("::1", False), ("0.0.0.0", True),
                                         ("192.168.1.5", True)])
def test_viz_on_a_non_loopback_host_warns(capsys, monkeypatch, host, warns):
    pytest.importorskip("simnet.viz")
    monkeypatch.setattr("simnet.viz.serve", lambda *a, **k: None)
    assert main(["viz", "--host", host]) == 0
    err = capsys.readouterr().err
    assert ("open to the network" in err) == warns


def test_plot_refuses_a_figures_link_out_of_the_folder(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    out = tmp_path / "out"
    assert main(run_args(path, out)) == 0
    capsys.readouterr()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (out / "bad" / "figures").symlink_to(outside)
    refused(capsys, "plot", str(out / "bad"), fragment="is a symbolic link")
    assert not any(outside.iterdir())


@pytest.mark.parametrize("gz", [False, True])
def test_edge_lists_over_the_size_limit_are_refused(tmp_path, capsys, monkeypatch, gz):
    import gzip

    monkeypatch.setattr("simnet.network.files.MAX_EDGE_FILE_BYTES", 1000)
    text = "".join(f"{i} {i + 1}\n" for i in range(400)).encode()  # ~3 kB
    edges = tmp_path / ("edges.txt.gz" if gz else "edges.txt")
    edges.write_bytes(gzip.compress(text) if gz else text)  # compressed: under the limit
    exp = _file_network(tmp_path, path=str(edges))
    out = tmp_path / "out"
    refused(capsys, *run_args(exp, out), fragment="too big", out=out)
