"""simnet in the browser: Mesa's SolaraViz page for ReputationModel.

``serve(experiment_file, port)`` starts a local server (``simnet viz``); the page itself
lives in :mod:`simnet.viz.page` and, as a Solara app module, in :mod:`simnet.viz.app`.
This package is the only part of simnet that imports solara; importing it does not (it
only checks that the ``viz`` extra is installed, and raises ImportError if not).
"""

from importlib.util import find_spec

# Mesa's visualisation imports altair as well as solara.
_MISSING = [name for name in ("solara", "ipyvuetify", "altair") if find_spec(name) is None]
if _MISSING:
    raise ImportError(f"simnet.viz needs the 'viz' extra; missing: {', '.join(_MISSING)}")

from simnet.viz.server import serve  # noqa: E402

__all__ = ["serve"]
