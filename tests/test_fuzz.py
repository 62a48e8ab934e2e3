"""Fuzz test (issue 14): generated malformed experiment files and edge lists are each
refused by ``simnet run`` in one line (``simnet: error: ...``), exit status 2, no
traceback, and nothing written. Derandomized, so the counts are the same on every run;
each test prints how many inputs it tried and how many were refused cleanly."""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simnet.cli import main

GOOD = """[experiment]
name = "fuzz"
seed = 3
steps = 2
replications = 1

[population]
n_agents = 30

[network]
mean_degree = 4
"""
FILE_NETWORK = GOOD.replace("mean_degree = 4", 'kind = "file"\npath = "edges.txt"')
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
               max_size=40)


def _refused(files: dict[str, bytes], counts: dict[str, int]) -> None:
    """Write ``files`` (exp.toml and others) to a fresh folder, run them, and assert the
    clean refusal."""
    counts["tried"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        out = folder / "out"
        err, stdout = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(stdout):
            code = main(["run", str(folder / "exp.toml"), "--out", str(out), "--workers",
                         "1", "--quiet", "--no-plots"])
        lines = err.getvalue().strip().splitlines()
        assert code == 2, (files, err.getvalue(), stdout.getvalue())
        assert len(lines) == 1 and lines[0].startswith("simnet: error: "), err.getvalue()
        assert "Traceback" not in err.getvalue() + stdout.getvalue()
        assert not out.exists(), sorted(out.rglob("*"))
    counts["refused"] += 1


def _insert(text: str, line: str, where: int) -> str:
    lines = text.splitlines()
    lines.insert(where % (len(lines) + 1), line)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- experiments

binary_files = st.tuples(st.sampled_from([b"\xff", b"\x00", b"\xc3\x28", b"\x80"]),
                         st.binary(max_size=400), st.integers(0, 400)).map(
    lambda t: (GOOD.encode()[: t[2]] + t[0] + t[1]))
syntax_errors = st.tuples(LINE, st.integers(0, 20)).map(
    lambda t: _insert(GOOD, "@" + t[0], t[1]).encode())
deep_nesting = st.tuples(st.sampled_from(["array", "inline", "dotted"]),
                         st.integers(40, 4000)).map(lambda t: (GOOD + "x = " + {
                             "array": "[" * t[1] + "]" * t[1],
                             "inline": "{a = " * t[1] + "1" + "}" * t[1],
                             "dotted": "", }[t[0]] + "\n" if t[0] != "dotted" else
    GOOD.replace("[population]", ".".join(["b"] * t[1]) + " = 1\n\n[population]")).encode())
out_of_range = st.one_of(
    st.integers(max_value=0).map(lambda v: GOOD.replace("steps = 2", f"steps = {v}")),
    st.integers(min_value=1_000_001, max_value=2**63 - 1).map(
        lambda v: GOOD.replace("steps = 2", f"steps = {v}")),
    st.integers(max_value=0).map(lambda v: GOOD.replace("replications = 1",
                                                        f"replications = {v}")),
    st.integers(max_value=-1, min_value=-(2**63)).map(
        lambda v: GOOD.replace("seed = 3", f"seed = {v}")),
    st.one_of(st.integers(max_value=1), st.integers(min_value=10_000_001,
                                                    max_value=2**63 - 1)).map(
        lambda v: GOOD.replace("n_agents = 30", f"n_agents = {v}")),
    st.floats(allow_nan=False, allow_infinity=False).map(
        lambda v: GOOD.replace("n_agents = 30", f"n_agents = {v!r}")),
    st.text("abc xyz", max_size=8).map(lambda v: GOOD.replace("steps = 2", f'steps = "{v}"')),
).map(str.encode)
unknown_names = st.one_of(
    NAMES.map(lambda k: GOOD.replace("n_agents = 30", f"zz_{k} = 1\nn_agents = 30")),
    NAMES.map(lambda k: GOOD + f"\n[zz_{k}]\nx = 1\n"),
    NAMES.map(lambda k: GOOD + f'\n[sweep]\nzz_{k} = [1, 2]\n'),
    NAMES.map(lambda k: GOOD + f'\n[[plots.figure]]\nkind = "zz_{k}"\n'),
).map(str.encode)
EXPERIMENTS = st.one_of(binary_files, syntax_errors, deep_nesting, out_of_range,
                        unknown_names)


def test_fuzz_malformed_experiment_files_are_refused_cleanly(capsys):
    counts = {"tried": 0, "refused": 0}

    @SETTINGS
    @given(EXPERIMENTS)
    def check(data: bytes) -> None:
        _refused({"exp.toml": data}, counts)

    check()
    with capsys.disabled():
        print(f"\nfuzz: {counts['refused']} of {counts['tried']} malformed experiment files "
              f"refused cleanly", file=sys.stderr)
    assert counts["tried"] >= 100 and counts["refused"] == counts["tried"]


# --------------------------------------------------------------------------- edge lists

def _edges(pairs: list[tuple[int, int]]) -> list[str]:
    return [f"{a} {b}" for a, b in pairs]


ring = st.integers(3, 30).map(lambda n: _edges([(i, (i + 1) % n) for i in range(n)]))
huge = st.one_of(st.integers(min_value=2**63, max_value=10**30),
                 st.integers(max_value=-(2**63) - 1, min_value=-(10**30)))
edge_lists = st.one_of(
    st.tuples(ring, huge, st.integers(0, 40), st.booleans()).map(  # an id out of range
        lambda t: "\n".join(_insert("\n".join(t[0]), f"{t[1]} 0" if t[3] else f"0 {t[1]}",
                                    t[2]).splitlines())),
    st.tuples(ring, st.integers(1, 40), NAMES).map(  # a text id after integer ids
        lambda t: _insert("\n".join(t[0]), f"{t[2]} x{t[2]}", t[1])),
    st.tuples(ring, st.integers(0, 40), st.integers(0, 99)).map(  # a line of one field
        lambda t: _insert("\n".join(t[0]), str(t[2]), t[1])),
    st.integers(0, 10**6).map(lambda i: f"{i} {i}\n" * 3),  # one node, no tie
    st.lists(LINE.map(lambda s: "# " + s), max_size=5).map("\n".join),  # no data
).map(str.encode)
edge_lists = st.one_of(edge_lists, st.binary(max_size=300).map(lambda b: b"1 2\n\x00" + b))


def test_fuzz_malformed_edge_lists_are_refused_cleanly(capsys):
    counts = {"tried": 0, "refused": 0}

    @SETTINGS
    @given(edge_lists)
    def check(data: bytes) -> None:
        _refused({"exp.toml": FILE_NETWORK.encode(), "edges.txt": data}, counts)

    check()
    with capsys.disabled():
        print(f"\nfuzz: {counts['refused']} of {counts['tried']} malformed edge lists "
              f"refused cleanly", file=sys.stderr)
    assert counts["tried"] >= 100 and counts["refused"] == counts["tried"]
