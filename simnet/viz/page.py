"""The Solara page: Mesa's SolaraViz (controls, parameters, step counter) plus simnet's
own panels (network, per-strategy plots, live summary).

``Page`` is the page; ``simnet.viz.app`` exposes it to ``solara run``. The base
configuration comes from the experiment file named by the ``SIMNET_VIZ_EXPERIMENT``
environment variable (set by :func:`simnet.viz.serve`), or from simnet's defaults with a
small population.

Mesa's ``ModelController`` steps the model and bumps Mesa's ``update_counter``; every
panel here reads that counter, so it redraws after each step (or after each
``render_interval`` steps while playing). ``Reset`` builds a new ``ReputationModel`` from
the parameters in the sidebar; the network layout is computed once per model.
"""

from __future__ import annotations

import html
import io
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache

import solara

with warnings.catch_warnings():
    # Solara's hook checker flags a use_state after an early return in Mesa's own
    # ComponentsView; harmless here (the page passes no Mesa components, so it always
    # returns early), and not ours to fix.
    warnings.filterwarnings("ignore", message=".*ComponentsView.*", category=UserWarning)
    from mesa.visualization import SolaraViz
    from mesa.visualization.utils import update_counter

from simnet.config import ModelConfig
from simnet.model import ReputationModel
from simnet.viz import drawing

ENV_EXPERIMENT = "SIMNET_VIZ_EXPERIMENT"
TITLE = "simnet · reputation in professional networks"
#: Agents in the page's model when no experiment file says otherwise.
DEFAULT_AGENTS = 300
NETWORK_KINDS = ("small_world", "scale_free", "random", "communities")


@dataclass(frozen=True)
class BaseSetup:
    """Where the page starts: a model configuration, a seed and a name."""

    config: ModelConfig
    seed: int = 0
    name: str = "defaults"


@lru_cache(maxsize=8)
def _load(path: str | None) -> BaseSetup:
    if not path:
        return BaseSetup(ModelConfig().with_overrides(n_agents=DEFAULT_AGENTS))
    from simnet.experiment import load_experiment

    exp = load_experiment(path)
    return BaseSetup(exp.model, exp.seed, exp.name)


def base_setup() -> BaseSetup:
    """The base setup: from the experiment file in $SIMNET_VIZ_EXPERIMENT, if set."""
    return _load(os.environ.get(ENV_EXPERIMENT) or None)


def _open_share(cfg: ModelConfig) -> float | None:
    """The open share the base configuration implies, or None if its strategy mix is not
    just open vs selective (then the page keeps the experiment's mix)."""
    pop = cfg.population
    if pop.open_share is not None:
        return float(pop.open_share)
    mix = {k: float(v) for k, v in pop.strategy_mix.items() if float(v) > 0}
    if not mix or not set(mix) <= {"open", "selective"}:
        return None
    return mix.get("open", 0.0) / sum(mix.values())


def _bad_share(cfg: ModelConfig) -> float | None:
    """The bad-actor share of the base configuration, or None when the population has no
    bad conduct type (or only bad ones): then the control is left out."""
    pop = cfg.population
    types = pop.conduct_types
    if not any(t.bad for t in types) or all(t.bad for t in types):
        return None
    if pop.bad_share is not None:
        return float(pop.bad_share)
    total = sum(t.share for t in types)
    return sum(t.share for t in types if t.bad) / total


def _slider_float(label: str, value: float, lo: float = 0.0, hi: float = 1.0,
                  step: float = 0.05) -> dict:
    return {"type": "SliderFloat", "label": label, "value": round(float(value), 4),
            "min": lo, "max": hi, "step": step}


def model_params(setup: BaseSetup | None = None) -> dict:
    """Mesa ``model_params`` for SolaraViz: the base config (fixed) and the controls."""
    setup = setup or base_setup()
    cfg = setup.config
    pop, net, wom = cfg.population, cfg.network, cfg.word_of_mouth
    params: dict = {"config": cfg}
    n_lo = max(20, -(-(net.mean_degree + 1) // 10) * 10)  # above the mean degree, in tens
    n = max(pop.n_agents, n_lo)
    params["n_agents"] = {"type": "SliderInt", "label": "Number of agents", "value": n,
                          "min": n_lo, "max": max(2000, n), "step": 10}
    open_share = _open_share(cfg)
    if open_share is not None:
        params["open_share"] = _slider_float("Open share (rest selective)", open_share)
    bad_share = _bad_share(cfg)
    if bad_share is not None:
        params["bad_share"] = _slider_float("Bad-actor share", bad_share, hi=0.9, step=0.01)
    params["decay_bad"] = _slider_float("Word of mouth: bad news kept per hop", wom.decay_bad)
    params["decay_good"] = _slider_float("Word of mouth: good news kept per hop",
                                         wom.decay_good)
    params["max_hops"] = {"type": "SliderInt", "label": "Word of mouth: hop limit",
                          "value": wom.max_hops, "min": 0, "max": max(10, wom.max_hops),
                          "step": 1}
    kinds = list(NETWORK_KINDS) + ([net.kind] if net.kind not in NETWORK_KINDS else [])
    params["kind"] = {"type": "Select", "label": "Network", "value": net.kind,
                      "values": kinds}
    params["rng"] = {"type": "SliderInt", "label": "Seed", "value": setup.seed, "min": 0,
                     "max": max(999, setup.seed), "step": 1}
    return params


def initial_kwargs(params: dict) -> dict:
    """The keyword arguments Mesa's Reset passes for ``params`` at their start values."""
    return {k: (v["value"] if isinstance(v, dict) and "type" in v else v)
            for k, v in params.items()}


class PageModel(ReputationModel):
    """ReputationModel as Mesa's SolaraViz builds it on Reset.

    Identical to :class:`ReputationModel`; only its signature differs: Mesa's parameter
    check accepts extra keyword parameters only when the catch-all is spelled ``**kwargs``.
    """

    def __init__(self, config: ModelConfig | None = None, *, rng=None, seed=None,
                 max_steps: int | None = None, **kwargs):
        super().__init__(config, rng=rng, seed=seed, max_steps=max_steps, **kwargs)
        self.page_seed = rng if seed is None else seed


def make_model(params: dict | None = None) -> PageModel:
    """A model at the controls' start values (what Reset builds before any change)."""
    return PageModel(**initial_kwargs(params if params is not None else model_params()))


def figure_png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})  # speed over size
    return buffer.getvalue()


# ----------------------------------------------------------------------------- panels

CSS = """
.simnet-image { max-width: 100%; height: auto; }
.simnet-heading { font-weight: 600; font-size: 15px; margin: 4px 0 2px 0; }
.simnet-setup { font-size: 13px; color: #444; margin: 0 0 4px 0; }
.simnet-summary { font-size: 13px; }
.simnet-summary table th, .simnet-summary table td { padding: 3px 12px 3px 0; }
.simnet-summary table th { text-align: left; border-bottom: 1px solid #bbb; }
.simnet-summary table td { border-bottom: 1px solid #eee; }
.simnet-summary table td.num { text-align: right; }
"""


def describe_setup(model: ReputationModel) -> str:
    """One line: what the running model was built with (the sidebar's values apply on
    Reset, so this is what is on screen)."""
    cfg = model.config
    pop, wom = cfg.population, cfg.word_of_mouth
    parts = [f"{model.world.n:,} agents", f"{cfg.network.kind.replace('_', ' ')} network"]
    if pop.open_share is not None:
        parts.append(f"open share {pop.open_share:.2f}")
    else:
        parts.append("mix " + ", ".join(f"{k} {v:g}" for k, v in pop.strategy_mix.items()))
    if pop.bad_share is not None:
        parts.append(f"bad-actor share {pop.bad_share:.2f}")
    parts.append(f"news kept per hop: bad {wom.decay_bad:.2f}, good {wom.decay_good:.2f}")
    parts.append(f"at most {wom.max_hops} hops")
    seed = getattr(model, "page_seed", None)
    if seed is not None:
        parts.append(f"seed {seed}")
    return " · ".join(parts)


def _heading(text: str):
    return solara.HTML(tag="div", unsafe_innerHTML=html.escape(text),
                       classes=["simnet-heading"])


@solara.component
def NetworkPanel(model: ReputationModel, step: int):
    """The network now (a sample of it for large models)."""
    png = solara.use_memo(lambda: figure_png(drawing.network_figure(model)), [model, step])
    with solara.Column(gap="0px", classes=["simnet-network"]):
        _heading("Network")
        solara.Image(png, format="png", classes=["simnet-image"])


@solara.component
def StrategyPlots(model: ReputationModel, step: int):
    """Per strategy over time: opportunities won, perceived reputation, bad interactions."""
    png = solara.use_memo(lambda: figure_png(drawing.strategy_plots_figure(model)),
                          [model, step])
    with solara.Column(gap="0px", classes=["simnet-plots"]):
        _heading("By strategy, over time")
        solara.Image(png, format="png", classes=["simnet-image"])


@solara.component
def StrategySummary(model: ReputationModel, step: int):
    """The live per-strategy table and network facts."""
    table = solara.use_memo(lambda: drawing.summary_html(model), [model, step])
    with solara.Column(gap="0px", classes=["simnet-summary-panel"]):
        _heading(f"Now, at step {step}")
        solara.HTML(tag="div", unsafe_innerHTML=table)


@solara.component
def Dashboard(model: solara.Reactive):
    """simnet's panels for the model in ``model`` (a reactive shared with SolaraViz)."""
    update_counter.get()  # redraw whenever Mesa's controller says the model changed
    current = model.value
    step = int(current.steps)
    solara.Style(CSS)
    with solara.Column(gap="8px", style={"padding": "4px 12px"}):
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(describe_setup(current)),
                    classes=["simnet-setup"])
        with solara.Columns([11, 9], gutters_dense=True):
            NetworkPanel(current, step)
            StrategyPlots(current, step)
        StrategySummary(current, step)


@solara.component
def Page():
    """The whole page: Mesa's SolaraViz (app bar, sidebar with controls, parameters and
    step counter) and simnet's dashboard beside it."""
    setup = base_setup()
    params = solara.use_memo(lambda: model_params(setup), [setup])
    first = solara.use_memo(lambda: make_model(params), [params])
    model = solara.use_reactive(first)
    SolaraViz(model, components=[], model_params=params, name=TITLE, play_interval=200)
    Dashboard(model)
