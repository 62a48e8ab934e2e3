"""The page as a Solara app module, for ``solara run simnet.viz.app``.

``simnet viz [FILE]`` (:func:`simnet.viz.serve`) is the usual way in: it also makes the
page work offline. With ``solara run``, set ``SIMNET_VIZ_EXPERIMENT=path/to/file.toml``
to start from an experiment file.
"""

from simnet.viz.page import Page

page = Page()

__all__ = ["Page", "page"]
