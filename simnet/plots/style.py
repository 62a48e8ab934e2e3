"""House style for print: colours, labels with units, figure sizes, captions, saving.

Strategies get one fixed colour each across every figure, from the Okabe–Ito palette
(colour-blind safe); strategies defined in experiment files get further colours in name
order. Other categories (arms, channels, conduct types) use Paul Tol's muted palette, so they
are never mistaken for a strategy.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design": fixed colours for the preset strategies.
STRATEGY_COLORS = {
    "open": "#E69F00",       # orange
    "selective": "#0072B2",  # blue
    "recruiter": "#009E73",  # bluish green
    "connector": "#CC79A7",  # reddish purple
    "spammer": "#D55E00",    # vermillion
}
# Further colours for custom strategies (the rest of Okabe–Ito, then Tol's bright set).
EXTRA_STRATEGY_COLORS = ("#56B4E9", "#000000", "#F0E442", "#AA3377", "#228833",
                         "#66CCEE", "#BBBBBB", "#4477AA")
# Paul Tol's "muted" scheme: arms, channels, conduct types.
CATEGORY_COLORS = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77",
                   "#CC6677", "#882255", "#AA4499", "#DDDDDD")
CHANNEL_COLORS = {"direct": "#332288", "introduction": "#44AA99", "cold": "#CC6677",
                  "lead": "#DDCC77"}
CONDUCT_COLORS = {"professional": "#117733", "careless": "#DDAA33", "spammer": "#882255"}
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)))

WIDTHS = {"single": 3.5, "double": 7.2}   # inches: one and two journal columns
DPI = 300

# Axis labels of what is not a metric: swept parameters and older column names. Metric
# labels, short labels, questions and ranges come from simnet.metric_registry.
LABELS = {
    "reached_share": "agents who have heard (share of all)",
    "contacts_reached_share": "subject's contacts who have heard (share)",
    "reached": "agents who have heard",
    "open_share": "share of open networkers",
    "bad_share": "share of bad actors",
    "n_agents": "number of agents",
    "decay_bad": "weight kept per hop by bad news",
    "decay_good": "weight kept per hop by good news",
    "kind": "network kind",
}

RC = {
    "font.size": 7.5,
    "axes.titlesize": 8,
    "axes.titleweight": "bold",
    "axes.labelsize": 7.5,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "legend.frameon": False,
    "figure.titlesize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.linewidth": 0.4,
    "grid.color": "#E5E5E5",
    "lines.linewidth": 1.2,
    "lines.markersize": 4,
    "errorbar.capsize": 2,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "pdf.fonttype": 42,       # embed TrueType: editable text in the PDF
    "svg.fonttype": "none",
    "savefig.dpi": DPI,
}


def label(metric: str) -> str:
    """The axis label (with units) for a metric or column."""
    from simnet.metric_registry import get

    entry = get(metric)
    if metric in LABELS:
        return LABELS[metric]
    return entry.axis_label() if entry else metric.replace("_", " ")


def short_label(metric: str) -> str:
    """A short label for legends and narrow panels."""
    from simnet.metric_registry import get

    entry = get(metric)
    return entry.short_label() if entry else label(metric)


# Questions that are already about time are not asked "over time" again.
ABOUT_TIME = ("bad_found_share", "mean_time_to_find", "acceptance_rate")


def question(metric: str, over_time: bool = False) -> str:
    """The question a panel of this metric answers (the registry's, else a generic one)."""
    from simnet.metric_registry import get

    entry = get(metric)
    text = entry.question if entry and entry.question else \
        f"How does {short_label(metric)} differ?"
    return text.replace("?", " over time?") if over_time and metric not in ABOUT_TIME \
        else text


def bounds(metric: str) -> tuple[float | None, float | None]:
    """The range a metric cannot leave (confidence intervals are clipped to it)."""
    from simnet.metric_registry import get

    entry = get(metric)
    if entry is not None:
        return entry.lo, entry.hi
    if metric.endswith("share"):
        return 0.0, 1.0
    return None, None


def strategy_colors(names: Iterable[str]) -> dict[str, str]:
    """Colours for strategies: fixed for the presets, then further colours in name order."""
    names = [str(n) for n in dict.fromkeys(names)]
    colors = {n: STRATEGY_COLORS[n] for n in names if n in STRATEGY_COLORS}
    custom = sorted(n for n in names if n not in STRATEGY_COLORS)
    for i, name in enumerate(custom):
        colors[name] = EXTRA_STRATEGY_COLORS[i % len(EXTRA_STRATEGY_COLORS)]
    return {n: colors[n] for n in names}


def category_colors(names: Iterable[str], fixed: dict[str, str] | None = None
                    ) -> dict[str, str]:
    """Colours for non-strategy categories (arms, channels, conduct types), in order."""
    names = [str(n) for n in dict.fromkeys(names)]
    fixed = fixed or {}
    free = [c for c in CATEGORY_COLORS if c not in fixed.values()]
    out, i = {}, 0
    for name in names:
        if name in fixed:
            out[name] = fixed[name]
        else:
            out[name] = free[i % len(free)]
            i += 1
    return out


POPULATION_COLOR = "#7F7F7F"  # the group "all": the whole population (grey, and a diamond)


def group_colors(names: Iterable[str], group_by: str = "strategy") -> dict[str, str]:
    """Colours for the groups of a group_by: strategies, or conduct types; the whole
    population ("all") in dark grey."""
    names = [str(n) for n in dict.fromkeys(names)]
    rest = [n for n in names if n != "all"]
    colors = (category_colors(rest, CONDUCT_COLORS) if group_by == "conduct_type"
              else strategy_colors(rest))
    return {n: POPULATION_COLOR if n == "all" else colors[n] for n in names}


def order_groups(names: Iterable[str], group_by: str = "strategy") -> list[str]:
    """Preset strategies (or the usual conduct types) in their canonical order, then the
    rest in name order."""
    names = [str(n) for n in dict.fromkeys(names)]
    canon = CONDUCT_COLORS if group_by == "conduct_type" else STRATEGY_COLORS
    first = [n for n in canon if n in names]
    return first + sorted(n for n in names if n not in first)


def fig_width(width: str | float) -> float:
    """Width in inches: "single" (3.5 in), "double" (7.2 in), or a number of inches."""
    if isinstance(width, str):
        if width not in WIDTHS:
            raise ValueError(f"width = {width!r}: expected 'single', 'double' or inches")
        return WIDTHS[width]
    return float(width)


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """The rc settings of simnet figures, for the duration of the block only."""
    with mpl.rc_context(RC):
        yield


CAPTION_SIZE = 6.0


def caption_lines(text: str, width_in: float) -> str:
    """The caption wrapped to the figure width."""
    chars = max(40, int(width_in * 72 / (0.56 * CAPTION_SIZE)) - 3)
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


# "paper" style: no caption strip under the figure; the caption text goes beside it
# (save_figure writes STEM.caption.txt) for the article's own caption.
_CAPTIONS_BESIDE = contextvars.ContextVar("simnet_captions_beside", default=False)
STYLES = ("default", "paper")


@contextlib.contextmanager
def figure_style(style: str = "default") -> Iterator[None]:
    """Within the block, figures are drawn in ``style``: "default" (a caption line under
    each figure) or "paper" (no caption on the figure; its text is kept on the figure as
    ``simnet_caption`` and written beside it by :func:`save_figure`)."""
    if style not in STYLES:
        raise ValueError(f"style = {style!r}: expected {' or '.join(STYLES)}")
    token = _CAPTIONS_BESIDE.set(style == "paper")
    try:
        yield
    finally:
        _CAPTIONS_BESIDE.reset(token)


def new_figure(width: str | float = "single", nrows: int = 1, ncols: int = 1,
               height: float | None = None, caption: str = "", **subplot_kw
               ) -> tuple[Figure, Figure, np.ndarray]:
    """A Figure on the Agg canvas (no display, no pyplot state): ``(fig, body, axes)``.

    ``body`` holds the grid of axes, the legend and any suptitle; a caption line (small
    grey text) sits in its own strip under it, so constrained layout never lets the two
    overlap. Without a caption ``body`` is ``fig``.
    """
    w = fig_width(width)
    if height is None:
        height = 2.3 * nrows + 0.35
    if not caption or _CAPTIONS_BESIDE.get():
        fig = Figure(figsize=(w, height), layout="constrained")
        FigureCanvasAgg(fig)
        fig.simnet_caption = caption or ""
        return fig, fig, fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    text = caption_lines(caption, w)
    strip = (text.count("\n") + 1) * CAPTION_SIZE * 1.3 / 72 + 0.06
    fig = Figure(figsize=(w, height + strip), layout="constrained")
    FigureCanvasAgg(fig)
    body, foot = fig.subfigures(2, 1, height_ratios=[height, strip], hspace=0)
    foot.text(0.01, 0.5, text, ha="left", va="center", fontsize=CAPTION_SIZE,
              color="#555555", gid="caption")
    return fig, body, body.subplots(nrows, ncols, squeeze=False, **subplot_kw)


def caption_of(fig: Figure) -> str:
    """The caption text of a simnet figure ("" if none): the line under it, or, in the
    "paper" style, the text kept for beside it."""
    for sub in [fig, *getattr(fig, "subfigs", [])]:
        for text in sub.texts:
            if text.get_gid() == "caption":
                return text.get_text()
    return getattr(fig, "simnet_caption", "")


def lettered(plot):
    """Decorator: the figure a plot function returns gets panel letters (a, b, ...)."""
    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        return letter_panels(plot(*args, **kwargs))
    return wrapper


def letter_panels(fig: Figure) -> Figure:
    """Label the panels of a figure with more than one a, b, c ... (bold, top left),
    in reading order; colour bars are not panels. Returns the figure."""
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]
    if len(panels) < 2:
        return fig
    for i, ax in enumerate(panels):
        ax.annotate(chr(ord("a") + i) if i < 26 else str(i + 1), xy=(0, 1),
                    xycoords="axes fraction", xytext=(-16, 8), textcoords="offset points",
                    fontsize=9, fontweight="bold", ha="left", va="bottom",
                    gid="panel-letter", annotation_clip=False)
    return fig


def wrap(text: str, inches: float, fontsize: float = 8.0, bold: bool = False) -> str:
    """Wrap a title or axis label to fit a length in inches."""
    per_char = fontsize * (0.62 if bold else 0.55) / 72
    chars = max(12, int(inches / per_char))
    return textwrap.fill(text, chars, break_long_words=False)


def legend_below(fig, handles: list, labels: list[str], title: str | None = None,
                 ncols: int | None = None) -> None:
    """A figure legend below the axes (outside them, so it never hides data)."""
    if not handles:
        return
    width = fig.get_figure(root=True).get_figwidth()
    ncols = ncols or min(len(handles), max(1, int(width // 1.1)))
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols, title=title,
               handlelength=1.6, columnspacing=1.0)


def save_figure(fig: Figure, stem: Path, formats: tuple[str, ...] = ("png", "pdf"),
                dpi: int = DPI) -> list[Path]:
    """Write ``stem.png`` and ``stem.pdf`` (at the figure's exact size) atomically, and in
    the "paper" style ``stem.caption.txt`` with the caption; return their paths."""
    from simnet.results import atomic_write

    paths = []
    for fmt in formats:
        path = Path(f"{stem}.{fmt}")
        atomic_write(path, lambda tmp, fmt=fmt: fig.savefig(
            tmp, format=fmt, dpi=dpi, metadata=_metadata(fmt)))
        paths.append(path)
    beside = getattr(fig, "simnet_caption", "")
    if beside:  # the "paper" style: the caption text beside the figure, not on it
        path = Path(f"{stem}.caption.txt")
        atomic_write(path, lambda tmp: Path(tmp).write_text(beside + "\n", encoding="utf-8"))
        paths.append(path)
    return paths


def _metadata(fmt: str) -> dict:
    # No creation dates: the same results give byte-identical PDFs and PNGs.
    if fmt == "pdf":
        return {"Creator": "simnet", "Producer": "simnet", "CreationDate": None}
    if fmt == "png":
        return {"Software": "simnet"}
    return {}
