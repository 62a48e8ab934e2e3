"""simnet._files: the one regular-file check behind experiment files and edge lists."""

from __future__ import annotations

import os

import pytest

from simnet._files import REASONS, FileRefused, read_regular_file


def _reason(path, limit=100) -> str:
    with pytest.raises(FileRefused) as err:
        read_regular_file(path, limit)
    assert err.value.reason in REASONS
    return err.value.reason


def test_each_refusal_has_its_reason(tmp_path):
    (tmp_path / "ok.txt").write_bytes(b"0 1\n")
    assert read_regular_file(tmp_path / "ok.txt", 100) == b"0 1\n"
    assert _reason(tmp_path / "missing.txt") == "missing"
    assert _reason(tmp_path) == "folder"
    os.mkfifo(tmp_path / "fifo")  # never opened, so never blocks
    assert _reason(tmp_path / "fifo") == "special"
    (tmp_path / "big.txt").write_bytes(b"x" * 101)
    with pytest.raises(FileRefused) as err:
        read_regular_file(tmp_path / "big.txt", 100)
    assert (err.value.reason, err.value.size) == ("too big", 101)


def test_both_callers_word_the_same_refusal_for_their_file(tmp_path):
    from simnet.config import ConfigError
    from simnet.experiment import read_experiment_file
    from simnet.network import NetworkFileError, read_edge_list

    with pytest.raises(ConfigError, match=r"is a folder; expected an experiment \.toml file"):
        read_experiment_file(tmp_path)
    with pytest.raises(NetworkFileError, match="is a directory, not a file"):
        read_edge_list(tmp_path)
