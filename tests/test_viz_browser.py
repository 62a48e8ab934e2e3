"""End to end, in a real headless browser: `python -m simnet.viz` serves the page on a free
loopback port, Debian's chromium (driven by Playwright, never its own browser download)
opens it with every non-local request blocked, clicks Step, and the step counter, the
network and the plots change. Install the browser with `.ci/install_browser.sh`."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("solara", reason="the 'viz' extra is not installed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium browser installed (run .ci/install_browser.sh)",
                allow_module_level=True)
try:
    from playwright import sync_api
except ImportError:  # a browser but no driver: CI must have both (the test extra has it)
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed (pip install -e '.[test]')",
                allow_module_level=True)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--headless"]
EXPERIMENT = """\
[experiment]
name = "browser-test"
seed = 3

[population]
n_agents = 150

[network]
kind = "small_world"
mean_degree = 8
"""
STARTUP_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`python -m simnet.viz FILE --port N` in a subprocess; yields its URL."""
    experiment = tmp_path / "browser.toml"
    experiment.write_text(EXPERIMENT)
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "simnet.viz", str(experiment), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        cwd=tmp_path)
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        for line in proc.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail("server exited early:\n" + "".join(output))
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail("server did not print its address in time:\n" + "".join(output))
            if url in line:  # serve() prints the address once it listens
                break
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    assert not any("Traceback" in line for line in output), "".join(output)


def _image_sources(page) -> list[str]:
    return page.locator("img.simnet-image").evaluate_all("els => els.map(e => e.src)")


def test_page_steps_in_a_real_browser(server, tmp_path):
    external: list[str] = []
    failed: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith(server) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:  # offline: nothing may come from the internet
            external.append(url)
            route.abort()

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1400, "height": 1000})
        try:
            page = browser.new_page()
            page.route("**/*", only_local)
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto(server)
            page.get_by_text("Step: 0", exact=True).wait_for(timeout=90_000)
            page.locator("img.simnet-image").nth(1).wait_for(timeout=30_000)
            assert page.get_by_text("simnet · reputation in professional networks").count()
            assert page.get_by_text("150 agents · small world network").count()
            before = _image_sources(page)
            assert len(before) == 2  # the network and the strategy plots

            step = page.get_by_role("button", name="Step", exact=True)
            for k in (1, 2, 3):
                step.click()
                page.get_by_text(f"Step: {k}", exact=True).wait_for(timeout=30_000)
            page.get_by_text("Now, at step 3").wait_for(timeout=30_000)
            after = _image_sources(page)
            assert after[0] != before[0], "the network was not redrawn"
            assert after[1] != before[1], "the plots were not redrawn"
            assert page.locator(".simnet-summary td").count() >= 2 * 9  # >= 2 strategies

            shot = tmp_path / "viz.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            assert Path(shot).read_bytes().startswith(b"\x89PNG")
        finally:
            browser.close()
    assert external == [], f"the page asked the internet for {external}"
    assert failed == [], f"requests failed: {failed}"
