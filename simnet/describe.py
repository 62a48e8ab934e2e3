"""Methods text from the code's own metadata: the parameter table and the ODD description.

- :func:`params_rows` / :func:`params_text` / :func:`params_markdown`: every model
  parameter with its section, default, allowed range and meaning, read from the field
  metadata of :mod:`simnet.config` (``simnet params``).
- :func:`odd_markdown`: the model as the ODD protocol describes agent-based models
  (Grimm et al. 2006, 2010, 2020): purpose and patterns; entities, state variables and
  scales; process overview and scheduling; design concepts; initialisation; input data;
  submodels. It is assembled from the phases' and strategies' docstrings, the parameters
  with an experiment's values, and :mod:`simnet.metric_registry` (``simnet describe``), so
  it changes when the code does: ``docs/ODD.md`` is its output for the flagship experiment.

References: Grimm, V. et al. (2006) A standard protocol for describing individual-based and
agent-based models. Ecological Modelling 198, 115-126. Grimm, V. et al. (2010) The ODD
protocol: a review and first update. Ecological Modelling 221, 2760-2768. Grimm, V. et al.
(2020) The ODD protocol for describing agent-based and other simulation models: a second
update. JASSS 23(2), 7.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from simnet.config import (
    PRESET_PARAMS,
    SECTIONS,
    ConductType,
    ModelConfig,
    StrategyParams,
)

# --------------------------------------------------------------------------- parameters


def _range(meta: dict, default: Any) -> str:
    """The allowed values of a field, as text: "[0, 1]", "(0, 1]", a choice list ..."""
    if meta.get("choices"):
        return ", ".join(meta["choices"])
    if isinstance(default, bool):
        return "true, false"
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is None and hi is None:
        return "-"
    left = "(" if meta.get("lo_open") else "["
    return f"{left}{_num(lo)}, {_num(hi)}]"


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else f"{value:,}".replace(",", "_")


def _value(value: Any) -> str:
    """A parameter value as it would be written in an experiment file."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, ConductType) for v in value):
            return f"{len(value)} conduct types ({', '.join(ct.name for ct in value)})"
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def params_rows(config: ModelConfig | None = None) -> list[dict[str, str]]:
    """One row per model parameter: section, name, default, the value in ``config`` (if
    given), allowed range and meaning, in the order of simnet.config. Strategy policy
    parameters (section ``strategies.*``) follow, with the ``open`` preset's values as
    their default."""
    default = ModelConfig()
    rows = []
    for section, cls in SECTIONS.items():
        for f in fields(cls):
            row = {"section": section, "name": f.name,
                   "default": _value(getattr(getattr(default, section), f.name)),
                   "range": _range(f.metadata, getattr(getattr(default, section), f.name)),
                   "meaning": f.metadata.get("doc", "")}
            if config is not None:
                row["value"] = _value(getattr(getattr(config, section), f.name))
            rows.append(row)
    for f in fields(StrategyParams):
        if f.name == "name":
            continue
        base = getattr(PRESET_PARAMS["open"], f.name)
        row = {"section": "strategies.NAME", "name": f.name, "default": _value(base),
               "range": _range(f.metadata, base), "meaning": f.metadata.get("doc", "")}
        if config is not None:
            row["value"] = ""
        rows.append(row)
    return rows


def params_text(config: ModelConfig | None = None) -> str:
    """The parameter table as aligned plain text."""
    rows = params_rows(config)
    cols = ["section", "name", "default", *(["value"] if config else []), "range", "meaning"]
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols[:-1]}
    head = "  ".join(c.ljust(widths[c]) for c in cols[:-1]) + "  meaning"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append("  ".join(r[c].ljust(widths[c]) for c in cols[:-1]) + "  " + r["meaning"])
    return "\n".join(lines)


def params_markdown(config: ModelConfig | None = None) -> str:
    """The parameter table as Markdown (a paper's parameter table)."""
    rows = params_rows(config)
    cols = ["section", "name", "default", *(["value"] if config else []), "range", "meaning"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = [f"`{r[c]}`" if c == "name" else r[c].replace("|", "\\|") for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- ODD

def _doc(obj: Any) -> str:
    """An object's docstring, dedented, as one Markdown paragraph per blank-line block."""
    doc = inspect.getdoc(obj) or ""
    paragraphs = [" ".join(p.split()) for p in doc.split("\n\n") if p.strip()]
    return "\n\n".join(paragraphs)


def _first(obj: Any) -> str:
    doc = _doc(obj)
    return doc.split("\n\n")[0] if doc else ""


def schedule() -> list[tuple[str, Any]]:
    """The phases of one step in the order ReputationModel.step calls them, read from its
    source: ``[(name, function)]``."""
    from simnet import phases
    from simnet.model import ReputationModel

    source = inspect.getsource(ReputationModel.step)
    names = re.findall(r"\b(\w+_phase)\(", source)
    return [(name, getattr(phases, name)) for name in dict.fromkeys(names)
            if hasattr(phases, name)]


# Which parameter sections each phase reads (for the submodel tables).
PHASE_SECTIONS = {
    "requests_phase": ("ties",),
    "interactions_phase": ("ties", "evidence"),
    "word_of_mouth_phase": ("word_of_mouth", "evidence"),
    "opportunities_phase": ("opportunities", "evidence"),
    "maintenance_phase": ("ties", "evidence"),
    "trace_phase": (),
}

# The patterns the model is meant to reproduce, each with its source, and the check in the
# test suite that holds the model to it.
PATTERNS = (
    ("A perceived reputation built from Beta evidence counts: (good + 1) / (good + bad + 2), "
     "0.5 for a stranger; r = 8, s = 2 gives 0.75", "Jøsang and Ismail (2002)",
     "tests/test_evidence.py"),
    ("Each piece of news reaches a hearer once, however many paths lead to it: on the "
     "diamond X-A, A-B, A-C, B-D, C-D, D hears A's one observation of X once",
     "the model's design", "tests/kernels/test_spread.py"),
    ("One piece of news with pass-on probability T, no weight threshold and no hop limit "
     "reaches exactly the agents of a one-shot independent cascade with the same draws",
     "Newman (2002)", "tests/kernels/test_spread.py"),
    ("With the default population, what is heard about well-behaved agents is on balance "
     "good and about bad actors bad: mean perceived reputation above 0.55 for good "
     "actors and below 0.40 for bad ones, Kendall's tau against conduct at least 0.6 "
     "(1,000 agents, 100 steps)", "issue 9's targets; a negativity bias that tilts, not "
     "inverts (Baumeister et al. 2001; Anderson 1998)", "benchmarks/calibration.py"),
    ("The linear word-of-mouth mode with H hops and no echo rule spreads what the "
     "truncated power series of the trust-weighted adjacency matrix gives", "Katz (1953)",
     "tests/kernels/test_validation.py"),
    ("A one-shot bad-news cascade with pass-on probability T on a random graph of mean "
     "degree c reaches a final share S = 1 - exp(-c T S)", "Newman (2002)",
     "tests/kernels/test_validation.py"),
    ("Small-world starting networks: clustering C(p)/C(0) close to (1 - p)^3 for "
     "rewiring probability p", "Watts and Strogatz (1998); Barrat and Weigt (2000)",
     "tests/test_network.py"),
    ("Opportunities arriving through ties of every strength, so that whether weak ties "
     "deliver more per tie (Granovetter 1973) or an inverted U in tie strength appears "
     "(Rajkumar et al. 2022) can be measured", "Granovetter (1973); Rajkumar et al. (2022)",
     "experiments/weak_ties.toml"),
)

REFERENCES = (
    "Anderson, E. W. (1998) Customer satisfaction and word of mouth. Journal of Service "
    "Research 1(1), 5-17.",
    "Baumeister, R. F., Bratslavsky, E., Finkenauer, C. and Vohs, K. D. (2001) Bad is "
    "stronger than good. Review of General Psychology 5, 323-370.",
    "Barrat, A. and Weigt, M. (2000) On the properties of small-world network models. "
    "European Physical Journal B 13, 547-560.",
    "Feinberg, M., Willer, R., Stellar, J. and Keltner, D. (2012) The virtues of gossip: "
    "reputational information sharing as prosocial behavior. Journal of Personality and "
    "Social Psychology 102(5), 1015-1030.",
    "Granovetter, M. S. (1973) The strength of weak ties. American Journal of Sociology 78, "
    "1360-1380.",
    "Grimm, V. et al. (2006) A standard protocol for describing individual-based and "
    "agent-based models. Ecological Modelling 198, 115-126.",
    "Grimm, V. et al. (2010) The ODD protocol: a review and first update. Ecological "
    "Modelling 221, 2760-2768.",
    "Grimm, V. et al. (2020) The ODD protocol for describing agent-based and other "
    "simulation models: a second update to improve clarity, replication, and structural "
    "realism. Journal of Artificial Societies and Social Simulation 23(2), 7.",
    "Jøsang, A. and Ismail, R. (2002) The Beta reputation system. Proceedings of the 15th "
    "Bled Electronic Commerce Conference.",
    "Katz, L. (1953) A new status index derived from sociometric analysis. Psychometrika "
    "18, 39-43.",
    "Newman, M. E. J. (2002) Spread of epidemic disease on networks. Physical Review E 66, "
    "016128.",
    "Rajkumar, K., Saint-Jacques, G., Bojinov, I., Brynjolfsson, E. and Aral, S. (2022) A "
    "causal test of the strength of weak ties. Science 377, 1304-1310.",
    "Watts, D. J. and Strogatz, S. H. (1998) Collective dynamics of 'small-world' networks. "
    "Nature 393, 440-442.",
)


def _section_table(cfg: ModelConfig, section: str, varied: set[str]) -> list[str]:
    """A Markdown table of one section's parameters: value in this experiment, default,
    range, meaning (a swept or arm-specific parameter is marked)."""
    default = getattr(ModelConfig(), section)
    lines = ["| parameter | value | default | range | meaning |", "|---|---|---|---|---|"]
    for f in fields(SECTIONS[section]):
        if f.name == "conduct_types":
            continue
        value = _value(getattr(getattr(cfg, section), f.name))
        if f.name in varied:
            value += " (varied, see Experiment)"
        lines.append(f"| `{f.name}` | {value} | {_value(getattr(default, f.name))} | "
                     f"{_range(f.metadata, getattr(default, f.name))} | "
                     f"{f.metadata.get('doc', '')} |")
    return lines


def _strategy_rows(cfg: ModelConfig) -> list[tuple[str, str, StrategyParams]]:
    """(name, description, parameters) of every strategy the experiment can use."""
    from simnet.strategies import REGISTRY

    used = dict(cfg.population.strategy_mix)
    if cfg.population.open_share is not None:
        used = {"open": 1, "selective": 1}
    for ct in cfg.population.conduct_types:
        if ct.strategy:
            used[ct.strategy] = 1
    custom = {s.name: s for s in cfg.strategies}
    rows = []
    for name in used:
        if name in custom:
            rows.append((name, "a strategy defined in the experiment file (its parameters "
                         "below)", custom[name]))
        elif name in REGISTRY:
            rows.append((name, _doc(REGISTRY[name]), PRESET_PARAMS[name]))
    return rows


def odd_markdown(exp) -> str:
    """The ODD description (Grimm et al. 2020) of an experiment's model as Markdown.

    ``exp`` is a :class:`simnet.experiment.ExperimentConfig`. Everything model-specific is
    read from the code: the schedule from ``ReputationModel.step``, the submodels from the
    phase functions' docstrings, the strategies from their classes, parameters from
    simnet.config (with this experiment's values) and what is observed from
    simnet.metric_registry.
    """
    from simnet.metric_registry import metrics_of
    from simnet.model import ReputationModel

    cfg: ModelConfig = exp.model
    varied = set(exp.varied) | {k for arm in exp.arms for k in getattr(arm, "overrides", {})}
    pop, net = cfg.population, cfg.network
    out: list[str] = []
    add = out.append
    add(f"# ODD description: {exp.name}")
    add("")
    source = Path(exp.source) if exp.source else Path(f"{exp.name}.toml")
    shown = f"{source.parent.name}/{source.name}" if source.parent.name else source.name
    add("The model description of this experiment in the ODD protocol (Overview, Design "
        "concepts, Details; Grimm et al. 2006, 2010, 2020). Generated by `simnet describe "
        f"{shown}` from the code's own metadata (phase and strategy "
        "docstrings, parameter metadata, the metrics registry); do not edit by hand.")
    add("")
    # ------------------------------------------------------------------ 1 purpose
    add("## 1. Purpose and patterns")
    add("")
    add(_first(ReputationModel))
    add("")
    if exp.description:
        add(f"**This experiment's question.** {exp.description}.")
        add("")
    add("The model is meant to let researchers compare networking strategies (whom to "
        "connect with, whom to introduce, which ties to keep) by what they bring their "
        "users (opportunities won) and cost them (bad interactions, relationship capital "
        "lost), and to measure how well word of mouth lets a network find out who behaves "
        "badly. The patterns it is built and checked to reproduce:")
    add("")
    for pattern, source, check in PATTERNS:
        how = "measured by" if check.startswith("experiments/") else "checked in"
        add(f"- {pattern} ({source}; {how} `{check}`).")
    add("")
    # ------------------------------------------------------------------ 2 entities
    add("## 2. Entities, state variables, and scales")
    add("")
    add(f"**Agents** (`{_class_name(ReputationModel, 'Professional')}`, a Mesa agent): "
        f"{pop.n_agents if net.kind != 'file' else 'as many as the network file has'} "
        "professionals. State variables (one NumPy array each, owned by the model):")
    add("")
    for m in metrics_of("agents", ("key", "state", "cumulative")):
        if m.name in ("agent", "run_id", "arm", "replication", "seed"):
            continue
        add(f"- `{m.name}` ({m.unit}, {m.kind}): {m.meaning}.")
    add("")
    add("**Ties**: undirected, each with a strength in (0, 1]; a tie whose strength reaches "
        "zero is dropped. **Evidence**: every agent holds, about each agent it has seen or "
        "heard of, Beta counts of good and bad evidence, kept apart for what it saw and what it "
        "heard (Jøsang and Ismail 2002), and forgets by the factor `forgetting` per step. "
        "**Opportunities**: jobs, clients or deals that appear at holders and are won by "
        "one seeker each.")
    add("")
    add(f"**Scales.** One step is one round of networking (read as a week); runs last "
        f"{exp.steps} steps. Space is the network only: there is no geography.")
    add("")
    # ------------------------------------------------------------------ 3 schedule
    add("## 3. Process overview and scheduling")
    add("")
    add(_doc(ReputationModel.step) + " Within a phase, agents act in bulk (arrays), "
        "not one at a time; every random draw comes from the model's own generator.")
    add("")
    for i, (name, func) in enumerate(schedule(), 1):
        add(f"{i}. **{_title(name)}** (`{func.__module__}.{name}`): {_first(func)}")
    add("")
    add("After the phases the model records the step's observations (see Observation in "
        "the design concepts).")
    add("")
    # ------------------------------------------------------------------ 4 design concepts
    add("## 4. Design concepts")
    add("")
    concepts = [
        ("Basic principles", "Reputation as Beta evidence (Jøsang and Ismail 2002) built "
         "from what an agent saw and what it heard; word of mouth as an independent "
         "cascade of each observation along ties, each hearer counting it once, its weight "
         "discounted by trust in the teller at every hop (the linear mode keeps the "
         "truncated Katz-type series, Katz 1953); a bounded budget of hearsay each person "
         "retells per step, warnings first (prosocial gossip, Feinberg et al. 2012); "
         "the strength of weak ties (Granovetter 1973)."),
        ("Emergence", "Who wins opportunities, who is harmed, how far news travels, the "
         "shape of the network (degree, clustering, components) and the accuracy of "
         "reputation emerge from the agents' requests, interactions and word of mouth; "
         "none is imposed."),
        ("Adaptation", "Agents follow fixed policies (their strategy's parameters); what "
         "changes is the evidence they act on: whom they accept, introduce and hire "
         "depends on perceived reputation."),
        ("Objectives", "Agents do not optimise; seekers compete for opportunities, and "
         "holders pick the candidate with the best score."),
        ("Learning", "Agents accumulate and forget evidence; strategies themselves do not "
         "change."),
        ("Prediction", "Holders rank candidates by perceived reputation, an implicit "
         "prediction of how the engagement will go."),
        ("Sensing", "Agents observe the outcome of their own interactions and hear what "
         "their contacts pass on; no agent observes another's conduct directly."),
        ("Interaction", "Connection requests, interactions along ties, word of mouth, "
         "introductions and engagements; all along ties except cold requests and cold "
         "applications."),
        ("Stochasticity", "Requests, interactions, outcomes, passing on news, seeking and "
         "opportunities are random draws from the model's generator (Mesa's `model.rng`), "
         "seeded from the run's seed: the same seed gives the same run."),
        ("Collectives", "Strategies and conduct types are groups the observations are "
         "reported by; they do not act as collectives."),
        ("Observation", "Per step and per strategy and conduct type, the means per agent "
         "of the metrics below; network-level metrics per step; every won opportunity "
         "with its provenance; the tie table at the end; one traced bad interaction "
         "(see `docs/metrics.md` for every column)."),
    ]
    for name, text in concepts:
        add(f"- **{name}.** {text}")
    add("")
    observed = [m for m in metrics_of("groups", ("state", "cumulative"))]
    add("Observed per agent and aggregated per group: " + ", ".join(
        f"`{m.name}` ({m.meaning}, {m.kind})" for m in observed) + ".")
    add("")
    network = metrics_of("model", ("state", "cumulative"))
    add("Observed for the whole network: " + ", ".join(
        f"`{m.name}` ({m.meaning})" for m in network) + ".")
    add("")
    # ------------------------------------------------------------------ 5 initialisation
    add("## 5. Initialisation")
    add("")
    add(f"The starting network is of kind `{net.kind}`"
        + (f" read from `{net.path}`" if net.kind == "file" else
           f" with {pop.n_agents} agents and mean degree {net.mean_degree}")
        + "; starting tie strengths are Beta distributed with mean "
        f"{_value(net.initial_strength_mean)} and concentration "
        f"{_value(net.initial_strength_concentration)}. Agents start with no evidence "
        "about anyone, and nobody is seeking.")
    add("")
    add(_population_text(pop))
    add("")
    add("Network parameters:")
    add("")
    out += _section_table(cfg, "network", varied)
    add("")
    add("Population parameters:")
    add("")
    out += _section_table(cfg, "population", varied)
    add("")
    # ------------------------------------------------------------------ 6 input data
    add("## 6. Input data")
    add("")
    if net.kind == "file":
        add(f"The network is read from the edge list `{net.path}`; no time series drives "
            "the model.")
    else:
        add("None: the model uses no external data; the starting network is generated.")
    add("")
    # ------------------------------------------------------------------ 7 submodels
    add("## 7. Submodels")
    add("")
    shown: set[str] = set()
    for i, (name, func) in enumerate(schedule(), 1):
        add(f"### 7.{i} {_title(name)}")
        add("")
        module_doc = _first(inspect.getmodule(func))
        if module_doc:
            add(f"*{module_doc}*")
            add("")
        add(_doc(func))
        add("")
        for section in PHASE_SECTIONS.get(name, ()):
            if section in shown:
                add(f"Parameters (`[{section}]`): see above.")
            else:
                add(f"Parameters (`[{section}]`):")
                add("")
                out += _section_table(cfg, section, varied)
                shown.add(section)
            add("")
    add(f"### 7.{len(schedule()) + 1} Strategies")
    add("")
    add(_doc(_strategy_base()))
    add("")
    for name, text, _ in _strategy_rows(cfg):
        add(f"- **{name}**: {text}")
    add("")
    add(_strategy_table(cfg))
    add("")
    # ------------------------------------------------------------------ experiment
    add("## Experiment")
    add("")
    add(_experiment_text(exp))
    add("")
    add("## References")
    add("")
    for ref in REFERENCES:
        add(f"- {ref}")
    return "\n".join(out).rstrip() + "\n"


def _class_name(model_cls, fallback: str) -> str:
    from simnet import agents

    cls = getattr(agents, fallback, None)
    return cls.__name__ if cls is not None else fallback


def _strategy_base():
    from simnet.strategies import Strategy

    return Strategy


def _title(phase: str) -> str:
    return phase.removesuffix("_phase").replace("_", " ").capitalize()


def _population_text(pop) -> str:
    lines = ["Each agent gets a conduct type, and a conduct drawn from the type's Beta "
             "distribution with the given mean and concentration"
             + (f"; the bad types are rescaled together to a share of {_value(pop.bad_share)}"
                if pop.bad_share is not None else "") + ":", "",
             "| conduct type | share | mean conduct | concentration | bad actor | strategy |",
             "|---|---|---|---|---|---|"]
    for ct in pop.conduct_types:
        lines.append(f"| {ct.name} | {_value(ct.share)} | {_value(ct.mean)} | "
                     f"{_value(ct.concentration)} | {'yes' if ct.bad else 'no'} | "
                     f"{ct.strategy or 'from the mix'} |")
    mix = (f"open {_value(pop.open_share)}, selective {_value(1 - pop.open_share)}"
           if pop.open_share is not None else _value(dict(pop.strategy_mix)))
    lines += ["", f"Agents whose conduct type does not pin a strategy get one from the "
              f"strategy mix: {mix}."]
    return "\n".join(lines)


def _strategy_table(cfg: ModelConfig) -> str:
    rows = _strategy_rows(cfg)
    names = [r[0] for r in rows]
    lines = ["| parameter | " + " | ".join(names) + " | meaning |",
             "|---|" + "---|" * len(names) + "---|"]
    for f in fields(StrategyParams):
        if f.name == "name":
            continue
        values = [_value(getattr(r[2], f.name)) for r in rows]
        lines.append(f"| `{f.name}` | " + " | ".join(values) +
                     f" | {f.metadata.get('doc', '')} |")
    return "\n".join(lines)


def _experiment_text(exp) -> str:
    parts = [f"`{exp.name}`: {exp.replications} replication(s) of {exp.steps} steps, root "
             f"seed {exp.seed}; every replication has its own seed, shared by every arm and "
             "sweep point (common random numbers)."]
    if exp.arms:
        arms = "; ".join(f"`{a.name}`" + (f" ({_overrides(a)})" if _overrides(a) else "")
                         for a in exp.arms)
        parts.append(f"Arms: {arms}. Paired differences are taken against "
                     f"`{exp.baseline or exp.arms[0].name}`.")
    sweep = exp.sweep
    if sweep.design == "grid" and sweep.grid:
        grid = "; ".join(f"`{k}` = {_value(list(v))}" for k, v in sweep.grid)
        parts.append(f"Swept (every combination): {grid}.")
    elif sweep.bounds:
        bounds = "; ".join(f"`{k}` in [{_value(lo)}, {_value(hi)}]"
                           for k, lo, hi in sweep.bounds)
        parts.append(f"Sampled ({sweep.design}, {sweep.n_points()} points): {bounds}.")
    return " ".join(parts)


def _overrides(arm) -> str:
    overrides = getattr(arm, "overrides", None) or {}
    return ", ".join(f"{k} = {_value(v)}" for k, v in overrides.items())
