"""Figure specifications as experiment files name them (``[[plots.figure]]`` tables).

This module imports nothing heavy, so validating an experiment file does not load
matplotlib. Each entry is a table with a ``kind`` and optional options::

    [[plots.figure]]
    kind = "heatmap"          # one of FIGURE_KINDS
    metric = "opps_total"     # a metric column (a list of names for "outcomes")
    x = "open_share"          # the x axis: a swept parameter, "step" or "arm"
    y = "bad_share"           # heatmap rows (default: the two swept parameters);
                              #   weak_ties: "per_tie" (default with tie tables),
                              #   "count", "share" or "good"
    group_by = "strategy"     # or "conduct_type"
    compare = ["open", "selective"]   # a minus b: groups (or arms, with between = "arm")
    between = "group"         # "group" (strategies within each run) or "arm" (CRN pairs)
    width = "single"          # "single" (3.5 in) or "double" (7.2 in) column
    name = "key_figure"       # file stem (default: made from kind and options)
    title = "..."             # replaces the question the figure is titled with
"""

from __future__ import annotations


class PlotError(ValueError):
    """A figure cannot be drawn from these results; the message is one line for the user."""


class FigureSkipped(UserWarning):
    """A figure was left out (say, a network too large to draw); the message says why."""


FIGURE_KINDS = ("outcomes", "differences", "timeseries", "heatmap", "news_reach",
                "weak_ties", "network", "sensitivity")

# Allowed keys of a figure table, with the types each accepts.
FIGURE_KEYS: dict[str, tuple[type, ...]] = {
    "kind": (str,),
    "metric": (str, list),
    "x": (str,),
    "y": (str,),
    "group_by": (str,),
    "compare": (list,),
    "between": (str,),
    "width": (str, int, float),
    "name": (str,),
    "title": (str,),
}


def check_figure_spec(spec: object, where: str = "plots.figure") -> dict:
    """Validate one ``[[plots.figure]]`` table; return it, or raise PlotError naming the field."""
    if not isinstance(spec, dict):
        raise PlotError(f"{where}: expected a table with a 'kind', got {spec!r}")
    kind = spec.get("kind")
    if kind not in FIGURE_KINDS:
        hint = "missing" if kind is None else f"{kind!r} is not a figure kind"
        raise PlotError(f"{where}.kind: {hint}; allowed: {', '.join(FIGURE_KINDS)}")
    for key, value in spec.items():
        if key not in FIGURE_KEYS:
            raise PlotError(f"{where}: unknown key '{key}'; allowed: "
                            f"{', '.join(FIGURE_KEYS)}")
        if isinstance(value, bool) or not isinstance(value, FIGURE_KEYS[key]):
            raise PlotError(f"{where}.{key} = {value!r}: expected "
                            f"{' or '.join(t.__name__ for t in FIGURE_KEYS[key])}")
    if isinstance(spec.get("metric"), list) and not all(isinstance(m, str)
                                                        for m in spec["metric"]):
        raise PlotError(f"{where}.metric: expected a name or a list of names")
    if "group_by" in spec and spec["group_by"] not in ("strategy", "conduct_type"):
        raise PlotError(f"{where}.group_by = {spec['group_by']!r}: expected 'strategy' "
                        "or 'conduct_type'")
    if "between" in spec and spec["between"] not in ("group", "arm"):
        raise PlotError(f"{where}.between = {spec['between']!r}: expected 'group' or 'arm'")
    if "compare" in spec and (len(spec["compare"]) != 2
                              or not all(isinstance(c, str) for c in spec["compare"])):
        raise PlotError(f"{where}.compare: expected two names [a, b] (plotted as a minus b)")
    if isinstance(spec.get("width"), str) and spec["width"] not in ("single", "double"):
        raise PlotError(f"{where}.width = {spec['width']!r}: expected 'single', 'double' "
                        "or a width in inches")
    return spec
