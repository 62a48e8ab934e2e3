"""simnet in the browser: Mesa's SolaraViz page for ReputationModel.

``serve(experiment_file, port)`` starts a local server (``simnet viz``); the page itself
lives in :mod:`simnet.viz.page` and, as a Solara app module, in :mod:`simnet.viz.app`.
This package is the only part of simnet that imports solara; importing it does not.
"""

from simnet.viz.server import serve

__all__ = ["serve"]
