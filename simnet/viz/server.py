"""``serve``: run the page on a local Solara server, offline.

Solara's front end (Vue, Vuetify, the widget manager, fonts) is loaded from a public CDN
unless the server serves it itself. With ``solara-assets`` installed at Solara's own
version, Solara's asset proxy finds every file in ``<prefix>/share/solara/cdn`` and never
goes out; ``serve`` turns that proxy on and Solara's usage telemetry off, so the page
works with no network at all.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import warnings
from importlib import metadata
from pathlib import Path

APP_MODULE = "simnet.viz.app:Page"


def offline_problem() -> str | None:
    """Why the page would not work offline (one line), or None if it will."""
    try:
        solara_version = metadata.version("solara")
    except metadata.PackageNotFoundError:
        return "solara is not installed: install simnet with the 'viz' extra"
    try:
        assets_version = metadata.version("solara-assets")
    except metadata.PackageNotFoundError:
        return (f"solara-assets is not installed: install solara-assets=={solara_version} "
                "or the page loads its front end from the internet")
    if assets_version != solara_version:
        return (f"solara-assets {assets_version} does not match solara {solara_version}: "
                f"install solara-assets=={solara_version}")
    return None


def _check_port(host: str, port: int) -> int:
    """Fail early, in one line, if the port is taken; a port of 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            # errno and strerror kept (the CLI prints strerror); the address as filename
            raise OSError(err.errno, err.strerror or str(err), f"{host}:{port}") from None
        return int(sock.getsockname()[1])


def configure(experiment_file: str | None) -> None:
    """Set the environment and Solara settings the page needs (before Solara's server is
    imported where possible, and on its settings objects in case it already was)."""
    if experiment_file:
        os.environ["SIMNET_VIZ_EXPERIMENT"] = str(Path(experiment_file).resolve())
    else:
        os.environ.pop("SIMNET_VIZ_EXPERIMENT", None)
    os.environ["SOLARA_APP"] = APP_MODULE
    os.environ["SOLARA_ASSETS_PROXY"] = "true"        # serve front-end files locally
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    os.environ.setdefault("SOLARA_MODE", "production")  # also skips Solara's online check
    os.environ.setdefault("MPLBACKEND", "Agg")
    # A closed or reloaded tab's model is freed after this long (Solara's default: 24h).
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "5m")

    import solara.server.settings as server_settings
    import solara.settings

    solara.settings.assets.proxy = True
    server_settings.telemetry.mixpanel_enable = False
    server_settings.main.mode = os.environ["SOLARA_MODE"]
    server_settings.kernel.cull_timeout = os.environ["SOLARA_KERNEL_CULL_TIMEOUT"]


def serve(experiment_file: str | None = None, port: int = 8765,
          host: str = "127.0.0.1") -> None:
    """Serve the visualisation at ``http://host:port`` until interrupted (Ctrl+C).

    ``experiment_file``: an experiment TOML file whose model configuration and seed the
    page starts from (a bad file raises :class:`simnet.config.ConfigError` before anything
    starts). ``port`` 0 picks a free port. Prints the address once the server listens.
    Raises ``OSError`` if the port is taken.
    """
    if experiment_file:
        from simnet.experiment import load_experiment

        load_experiment(experiment_file)  # fail early, with simnet's one-line message
    port = _check_port(host, int(port))
    problem = offline_problem()
    if problem:
        print(f"simnet viz: warning: {problem}", file=sys.stderr, flush=True)
    configure(experiment_file)
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)

    import uvicorn

    # Solara warns on every page load that a samesite=none cookie needs https; on a local
    # http server it falls back to samesite=lax, which is what we want.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port,
                            log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            print(f"simnet viz: serving http://{shown}:{port}/  (Ctrl+C to stop)", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    try:
        server.run()
    except KeyboardInterrupt:  # pragma: no cover - uvicorn normally handles SIGINT
        pass
