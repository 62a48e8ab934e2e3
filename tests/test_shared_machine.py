"""Safe by default on a shared machine (issue 14): the local Dask cluster needs TLS
credentials and serves no dashboard; dependency floors are past known advisories."""

from __future__ import annotations

import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from packaging.version import Version

from simnet.sweep import _dask_client


def test_local_dask_cluster_uses_tls_and_serves_no_dashboard():
    pytest.importorskip("cryptography")
    from distributed import Client

    with _dask_client("local", 1) as client:
        address = client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        assert client.submit(sum, [1, 2]).result() == 3
        # Without the temporary credentials nobody else can connect (and run code).
        for other in (address, address.replace("tls://", "tcp://")):
            with pytest.raises(Exception):  # noqa: B017 - TypeError or CommClosedError
                Client(other, timeout="3s")
        # The HTTP server Dask always starts listens on loopback and serves nothing.
        port = client.scheduler_info()["services"].get("dashboard")
        if port is not None:
            for page in ("status", "health", "info/main/workers.html", "metrics"):
                with pytest.raises(urllib.error.HTTPError) as err:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/{page}", timeout=5)
                assert err.value.code == 404


def test_pyarrow_floor_is_past_known_advisories():
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    floors = {d.split(">=")[0].strip(): d.split(">=")[1].split(",")[0].strip()
              for d in project["dependencies"] if ">=" in d}
    # CVE-2023-47248 (< 14.0.1) and CVE-2026-25087 (15.0.0 to 23.0.0)
    assert Version(floors["pyarrow"]) >= Version("23.0.1")
