"""Every parameter of simnet as frozen dataclasses, TOML loading and validation.

This module imports nothing from simnet. Each field carries its allowed range in its
metadata; ``validate`` checks every field and raises :class:`ConfigError` with one line
naming the field, the bad value and what is allowed.

Model parameters are grouped in sections (``population``, ``network``, ``ties``,
``evidence``, ``word_of_mouth``, ``opportunities``). Field names are unique across
sections, so ``ModelConfig.with_overrides(n_agents=500, decay_bad=0.7)`` can address any
of them by its plain name, which is how ``ReputationModel(**kwargs)`` and Mesa's
``batch_run`` pass parameters.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A configuration problem, described in one line for the user."""


def _spec(default: Any, lo: float | None = None, hi: float | None = None, doc: str = "",
          choices: tuple[str, ...] | None = None, optional: bool = False,
          lo_open: bool = False, behavioural: bool = False):
    """A dataclass field with its allowed range (closed unless ``lo_open``) in metadata.

    ``behavioural``: the field describes behaviour (a strategy's policy dials, tie
    dynamics, evidence weights, word of mouth, opportunities), not a size, the structure or
    bookkeeping. Every behavioural field must have a measurable effect in the sensitivity
    screen (``experiments/sensitivity.toml``, ``simnet.sensitivity``).
    """
    meta = {"lo": lo, "hi": hi, "doc": doc, "choices": choices, "optional": optional,
            "lo_open": lo_open, "behavioural": behavioural}
    if isinstance(default, (dict, list, tuple)):
        return field(default_factory=lambda d=default: _copy_default(d), metadata=meta)
    return field(default=default, metadata=meta)


def _copy_default(value):
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return tuple(value)
    return value


# --------------------------------------------------------------------------- strategies

STRATEGY_FIELDS_DOC = "policy parameters of a networking strategy"


@dataclass(frozen=True)
class StrategyParams:
    """Policy parameters of one networking strategy (see ``simnet.strategies``).

    Requests per step are Poisson distributed with mean ``requests_per_step``; a share
    ``stranger_share`` of them go to uniformly random strangers, the rest to friends of
    friends (triadic closure). A share ``canned_share`` are canned (no personal note).
    """

    name: str = _spec("custom", doc="strategy name")
    requests_per_step: float = _spec(0.5, 0.0, 1000.0, "mean connection requests sent per step",
                                     behavioural=True)
    stranger_share: float = _spec(0.5, 0.0, 1.0, "share of requests sent to strangers",
                                  behavioural=True)
    canned_share: float = _spec(0.0, 0.0, 1.0, "share of requests sent canned, with no note",
                                behavioural=True)
    accept_all: bool = _spec(True, doc="accept every request (open networking)")
    min_mutual: int = _spec(2, 0, 10_000, "mutual connections that vouch for a requester",
                            behavioural=True)
    min_reputation: float = _spec(0.5, 0.0, 1.0, "perceived reputation a requester must reach",
                                  behavioural=True)
    known_threshold: float = _spec(1.0, 0.0, 1e6, "seen evidence that counts as knowing someone: "
                                   "a selective networker accepts someone it knows without "
                                   "mutual vouching; an introducer vouches only for a seeker it "
                                   "knows", behavioural=True)
    refuse_canned: bool = _spec(False, doc="refuse canned requests from people not known",
                                behavioural=True)
    intro_min_reputation: float = _spec(0.6, 0.0, 1.0, "reputation a seeker needs to be introduced",
                                        behavioural=True)
    intro_willingness: float = _spec(0.5, 0.0, 1.0,
                                     "probability of making an eligible introduction for a "
                                     "seeker on a tie of strength 1 (scaled by the tie, and by "
                                     "the share of the tie to the holder the expected cost "
                                     "leaves)",
                                     behavioural=True)
    prune_below: float = _spec(0.0, 0.0, 1.0, "ties weaker than this are pruned (0: never)",
                               behavioural=True)


# --------------------------------------------------------------------------- sections

@dataclass(frozen=True)
class ConductType:
    """One conduct type of the population: conduct ~ Beta(mean * c, (1 - mean) * c).

    ``bad`` marks bad actors for the metrics; ``strategy`` pins the strategy of every agent
    of this type (a spammer is both a conduct and a behaviour).
    """

    name: str = _spec("professional", doc="conduct type name")
    share: float = _spec(1.0, 0.0, 1.0, "share of the population")
    mean: float = _spec(0.9, 0.0, 1.0, "mean conduct: probability an interaction goes well")
    concentration: float = _spec(20.0, 0.0, 1e6, "Beta concentration (higher: less spread)",
                                 lo_open=True)
    bad: bool = _spec(False, doc="whether this type counts as a bad actor")
    strategy: str | None = _spec(None, doc="strategy every agent of this type uses",
                                 optional=True)


DEFAULT_CONDUCT = (
    ConductType("professional", 0.85, 0.9, 20.0, False, None),
    ConductType("careless", 0.10, 0.35, 10.0, True, None),
    ConductType("spammer", 0.05, 0.2, 10.0, True, "spammer"),
)


@dataclass(frozen=True)
class PopulationConfig:
    n_agents: int = _spec(1000, 2, 10_000_000, "number of professionals")
    strategy_mix: dict = _spec({"open": 0.5, "selective": 0.5},
                               doc="shares of strategies among agents not pinned by conduct")
    open_share: float | None = _spec(None, 0.0, 1.0, "if set: strategy_mix = open vs selective",
                                     optional=True)
    conduct_types: tuple = _spec(list(DEFAULT_CONDUCT), doc="the population's conduct mix")
    bad_share: float | None = _spec(None, 0.0, 1.0, "if set: rescale bad conduct types to this "
                                    "share", optional=True)


@dataclass(frozen=True)
class NetworkConfig:
    kind: str = _spec("small_world", doc="starting network",
                      choices=("small_world", "scale_free", "random", "communities", "file"))
    mean_degree: int = _spec(10, 1, 10_000, "mean number of ties at the start")
    rewire_prob: float = _spec(0.1, 0.0, 1.0, "Watts-Strogatz rewiring probability")
    n_blocks: int = _spec(4, 1, 1_000_000, "communities of the stochastic block model")
    within_share: float = _spec(0.8, 0.0, 1.0, "share of ties inside one's community")
    path: str | None = _spec(None, doc="edge-list file or built-in name (kind = 'file')",
                             optional=True)
    initial_strength_mean: float = _spec(0.5, 0.0, 1.0, "mean strength of starting ties",
                                         lo_open=True)
    initial_strength_concentration: float = _spec(4.0, 0.0, 1e6, "Beta concentration of "
                                                  "starting strengths", lo_open=True)
    strength_overlap: float = _spec(0.0, 0.0, 1.0, "how closely starting strength follows "
                                    "the overlap of the two ends' contacts (0: "
                                    "independent; 1: the most overlapping ties are the "
                                    "strongest, as in Onnela et al. 2007)")


@dataclass(frozen=True)
class TieConfig:
    interaction_rate: float = _spec(0.3, 0.0, 1.0, "per step, a tie is used with probability "
                                    "interaction_rate * strength", behavioural=True)
    strength_gain: float = _spec(0.1, 0.0, 1.0, "good interaction: s += gain * (1 - s)",
                                 behavioural=True)
    strength_loss: float = _spec(0.25, 0.0, 1.0, "bad interaction: s -= loss", behavioural=True)
    tie_decay: float = _spec(0.01, 0.0, 1.0, "strength lost per step without contact",
                             behavioural=True)
    note_tie_strength: float = _spec(0.15, 0.0, 1.0, "strength of a tie from a request with a "
                                     "note", lo_open=True, behavioural=True)
    cold_tie_strength: float = _spec(0.05, 0.0, 1.0, "strength of a tie from a canned request",
                                     lo_open=True, behavioural=True)


@dataclass(frozen=True)
class EvidenceConfig:
    saw_weight: float = _spec(1.0, 0.0, 100.0, "weight of what an agent saw itself",
                              behavioural=True)
    heard_weight: float = _spec(1.0, 0.0, 100.0, "weight of what an agent heard", behavioural=True)
    forgetting: float = _spec(0.99, 0.0, 1.0, "evidence kept per step (1: never forget)",
                              behavioural=True)
    capacity: int = _spec(150, 1, 100_000, "others an agent holds evidence about at most "
                          "(bounded memory; Dunbar's number)", behavioural=True)
    min_evidence: float = _spec(0.25, 0.0, 1e6, "evidence totals below this are forgotten",
                                behavioural=True)
    spam_evidence: float = _spec(0.5, 0.0, 100.0, "bad evidence a canned request leaves",
                                 behavioural=True)
    engagement_evidence: float = _spec(2.0, 0.0, 100.0, "evidence an engagement leaves, about the "
                                       "winner and about its introducer if introduced",
                                       behavioural=True)
    refused_spam_harm: float = _spec(0.25, 0.0, 1.0, "harm of a refused canned request, "
                                     "relative to an accepted one", behavioural=True)


@dataclass(frozen=True)
class WordOfMouthConfig:
    mode: str = _spec("once", doc="'once': each witnessed event reaches a hearer at most once "
                      "(an independent cascade); 'linear': copies along every path add up "
                      "(the power series)", choices=("once", "linear"))
    decay_good: float = _spec(0.8, 0.0, 1.0, "weight kept per hop by good news", behavioural=True)
    decay_bad: float = _spec(1.0, 0.0, 1.0, "weight kept per hop by bad news (negativity bias)",
                             behavioural=True)
    max_hops: int = _spec(3, 0, 100, "hops news travels at most (0: no word of mouth)",
                          behavioural=True)
    min_weight: float = _spec(0.05, 0.0, 1e6, "news lighter than this is not passed on",
                              behavioural=True)
    share_good: float = _spec(0.5, 0.0, 1.0, "probability good news is passed on to each "
                              "contact, per hop (linear mode: by its witness, once)",
                              behavioural=True)
    share_bad: float = _spec(1.0, 0.0, 1.0, "probability bad news is passed on to each "
                             "contact, per hop (linear mode: by its witness, once)",
                             behavioural=True)
    fanout: float = _spec(15.0, 1.0, 1e6, "contacts a person passes one piece of news on to, "
                          "at most on average (mode 'once')", behavioural=True)
    retell_max: int = _spec(20, 0, 1_000_000, "pieces of hearsay a person passes on "
                            "per step at most, bad news first, then at random (mode "
                            "'once'; 0: only witnesses tell)", behavioural=True)
    echo_rule: bool = _spec(True, doc="linear mode: never pass news back to its sender nor to "
                            "its subject (mode 'once' never does)")
    trace_step: int = _spec(5, 0, 1_000_000, "step whose first bad interaction is traced "
                            "as it travels (0: none)")


@dataclass(frozen=True)
class OpportunityConfig:
    opportunity_rate: float = _spec(0.02, 0.0, 10.0, "opportunities per agent per step",
                                    behavioural=True)
    seek_start: float = _spec(0.05, 0.0, 1.0, "per step, probability an agent starts seeking",
                              behavioural=True)
    seek_stop: float = _spec(0.02, 0.0, 1.0, "per step, probability a seeker gives up",
                             behavioural=True)
    cold_applicants: float = _spec(2.0, 0.0, 1000.0, "mean cold applicants per opportunity",
                                   behavioural=True)
    ask_weight: float = _spec(0.5, 0.0, 100.0, "weight of contacts' opinions a holder asks for",
                              behavioural=True)
    direct_bonus: float = _spec(0.2, 0.0, 10.0, "score bonus per unit strength of a direct tie",
                                behavioural=True)
    intro_bonus: float = _spec(0.2, 0.0, 10.0, "score bonus of an introduction, scaled by trust "
                               "in the introducer", behavioural=True)
    ranking_noise: float = _spec(0.05, 0.0, 10.0, "s.d. of noise in a holder's ranking",
                                 behavioural=True)
    intro_cost: float = _spec(0.02, 0.0, 1.0, "strength an introduction spends on the "
                              "holder-introducer tie; introducers weigh it, and the penalty "
                              "times their doubt about the seeker, against that tie",
                              behavioural=True)
    intro_penalty: float = _spec(0.2, 0.0, 1.0, "further strength a bad introduction costs",
                                 behavioural=True)
    # 4 weeks: the DHI-DFH mean vacancy duration (US, 2001-2016) ran from 15 to 27 working
    # days, three to five weeks (dhihiringindicators.com; Davis, Faberman and Haltiwanger's
    # measure of vacancy duration).
    opening_steps: int = _spec(4, 1, 52, "steps an opening stays open, collecting "
                               "applicants, before its holder picks one; job leads about it "
                               "travel one hop per step meanwhile (1: decided the step it "
                               "appears, from direct, introduced and cold applicants)",
                               behavioural=True)
    lead_share: float = _spec(0.5, 0.0, 1.0, "probability someone who knows of an opening "
                              "tells a given contact (before the tie-strength tilt and the "
                              "word-of-mouth fanout)", behavioural=True)
    lead_by_strength: float = _spec(1.0, 0.0, 1.0, "how much a tie's strength tilts telling "
                                    "a job lead over it: 0 all contacts alike, 1 in "
                                    "proportion to strength (close contacts first)",
                                    behavioural=True)


SECTIONS: dict[str, type] = {
    "population": PopulationConfig,
    "network": NetworkConfig,
    "ties": TieConfig,
    "evidence": EvidenceConfig,
    "word_of_mouth": WordOfMouthConfig,
    "opportunities": OpportunityConfig,
}


@dataclass(frozen=True)
class ModelConfig:
    """The whole model's parameters: one instance per section, plus custom strategies."""

    population: PopulationConfig = field(default_factory=PopulationConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    ties: TieConfig = field(default_factory=TieConfig)
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)
    word_of_mouth: WordOfMouthConfig = field(default_factory=WordOfMouthConfig)
    opportunities: OpportunityConfig = field(default_factory=OpportunityConfig)
    strategies: tuple = ()  # custom StrategyParams, added to the presets

    def with_overrides(self, **overrides: Any) -> ModelConfig:
        """A copy with plain-named fields replaced (``n_agents=500``), validated."""
        by_section: dict[str, dict[str, Any]] = {}
        for key, value in overrides.items():
            section = FIELD_SECTION.get(key)
            if section is None:
                hint = _did_you_mean(key, FIELD_SECTION)
                raise ConfigError(f"unknown model parameter '{key}'{hint}")
            by_section.setdefault(section, {})[key] = value
        changes = {
            section: replace(getattr(self, section), **values)
            for section, values in by_section.items()
        }
        cfg = replace(self, **changes)
        validate_model(cfg)
        return cfg

    def to_dict(self) -> dict:
        """Plain nested dict (TOML/JSON friendly) of the resolved configuration; reading it
        back with ``model_config_from_dict`` gives an equal ModelConfig."""
        plain = {section: _to_plain(getattr(self, section)) for section in SECTIONS}
        plain["strategies"] = {}
        for s in self.strategies:
            table = _to_plain(s)
            plain["strategies"][table.pop("name")] = table
        return plain


FIELD_SECTION: dict[str, str] = {
    f.name: section for section, cls in SECTIONS.items() for f in fields(cls)
}
assert len(FIELD_SECTION) == sum(len(fields(c)) for c in SECTIONS.values()), "field names clash"


def _to_plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _to_plain(getattr(obj, f.name)) for f in fields(obj)
                if getattr(obj, f.name) is not None}
    if isinstance(obj, (list, tuple)):
        return [_to_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _to_plain(v) for k, v in obj.items()}
    return obj


# --------------------------------------------------------------------------- validation

# Parameters of earlier versions, and what replaced them, so an old file gets a pointer.
RETIRED_PARAMETERS: dict[str, str] = {
    "intro_known": "merged into 'known_threshold', one threshold for knowing someone, used "
                   "both to accept a request and to vouch for a seeker",
    "intro_feedback": "removed: the holder's complaint reaches the introducer with "
                      "'engagement_evidence' as one hop of word of mouth",
    "intro_evidence": "removed: a bad hire weighs on the introducer with 'engagement_evidence'",
}


def _did_you_mean(word: str, options) -> str:
    if word in RETIRED_PARAMETERS:
        return f" ({word} was {RETIRED_PARAMETERS[word]})"
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _range_text(meta: dict) -> str:
    lo, hi = meta["lo"], meta["hi"]
    left = "(" if meta.get("lo_open") else "["
    return f"{left}{lo}, {hi}]"


def _check_field(where: str, f: dataclasses.Field, value: Any) -> None:
    """Raise ConfigError unless ``value`` fits field ``f``'s type and range."""
    meta = f.metadata
    name = f"{where}.{f.name}"
    if value is None:
        if meta.get("optional"):
            return
        raise ConfigError(f"{name} is required")
    expected = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    if expected.startswith("bool"):
        if not isinstance(value, bool):
            raise ConfigError(f"{name} = {value!r}: expected true or false")
        return
    if expected.startswith(("int", "float")):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{name} = {value!r}: expected a number in {_range_text(meta)}")
        if expected.startswith("int") and not float(value).is_integer():
            raise ConfigError(f"{name} = {value!r}: expected a whole number in "
                              f"{_range_text(meta)}")
        if not math.isfinite(value):
            raise ConfigError(f"{name} = {value!r}: expected a finite number")
        lo, hi = meta["lo"], meta["hi"]
        too_low = lo is not None and (value <= lo if meta.get("lo_open") else value < lo)
        if too_low or (hi is not None and value > hi):
            raise ConfigError(f"{name} = {value!r} is out of range: allowed {_range_text(meta)}")
        return
    if expected.startswith("str"):
        if not isinstance(value, str):
            raise ConfigError(f"{name} = {value!r}: expected a string")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ConfigError(f"{name} = {value!r}: allowed values are {', '.join(choices)}"
                              f"{_did_you_mean(value, choices)}")


def _check_dataclass(where: str, obj: Any) -> None:
    for f in fields(obj):
        if f.metadata:
            _check_field(where, f, getattr(obj, f.name))


def _check_shares(where: str, shares: dict[str, float]) -> None:
    for key, value in shares.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{where}.{key} = {value!r}: expected a share >= 0")
    total = sum(shares.values())
    if total <= 0:
        raise ConfigError(f"{where}: shares must add up to more than 0")


def validate_model(cfg: ModelConfig, known_strategies: tuple[str, ...] | None = None) -> None:
    """Check every field of ``cfg``; raise ConfigError naming the first problem.

    ``known_strategies`` defaults to the preset names plus the custom strategies.
    """
    for section in SECTIONS:
        _check_dataclass(section, getattr(cfg, section))
    names = tuple(known_strategies or PRESET_NAMES) + tuple(s.name for s in cfg.strategies)
    for s in cfg.strategies:
        _check_dataclass(f"strategies.{s.name}", s)
    pop = cfg.population
    if not isinstance(pop.strategy_mix, dict) or not pop.strategy_mix:
        raise ConfigError("population.strategy_mix: expected a table of strategy = share")
    _check_shares("population.strategy_mix", pop.strategy_mix)
    for key in pop.strategy_mix:
        if key not in names:
            raise ConfigError(f"population.strategy_mix.{key}: unknown strategy; known: "
                              f"{', '.join(names)}{_did_you_mean(key, names)}")
    if not pop.conduct_types:
        raise ConfigError("population.conduct_types: at least one conduct type is required")
    for i, ct in enumerate(pop.conduct_types):
        _check_dataclass(f"population.conduct_types[{i}]", ct)
        if ct.strategy is not None and ct.strategy not in names:
            raise ConfigError(f"population.conduct_types[{i}].strategy = {ct.strategy!r}: "
                              f"unknown strategy; known: {', '.join(names)}")
    if sum(ct.share for ct in pop.conduct_types) <= 0:
        raise ConfigError("population.conduct_types: shares must add up to more than 0")
    if pop.bad_share is not None and not any(ct.bad for ct in pop.conduct_types):
        raise ConfigError("population.bad_share is set but no conduct type is marked bad")
    if pop.bad_share is not None and pop.bad_share < 1 and not any(
            not ct.bad for ct in pop.conduct_types):
        raise ConfigError("population.bad_share < 1 but every conduct type is marked bad")
    net = cfg.network
    if net.kind == "file" and not net.path:
        raise ConfigError("network.path is required when network.kind = 'file'")
    if net.kind in ("small_world", "scale_free") and net.mean_degree % 2:
        raise ConfigError(f"network.mean_degree = {net.mean_degree}: a {net.kind} network "
                          f"needs an even mean degree (ties come in pairs per node)")
    if net.kind != "file" and net.mean_degree >= pop.n_agents:
        raise ConfigError(f"network.mean_degree = {net.mean_degree} must be below "
                          f"population.n_agents = {pop.n_agents}")


PRESET_NAMES = ("open", "selective", "recruiter", "connector", "spammer")


# --------------------------------------------------------------------------- TOML

def _build(cls: type, where: str, table: Any) -> Any:
    """Instantiate dataclass ``cls`` from a TOML table, refusing unknown keys."""
    if not isinstance(table, dict):
        raise ConfigError(f"[{where}] must be a table, got {type(table).__name__}")
    allowed = {f.name for f in fields(cls)}
    for key in table:
        if key not in allowed:
            raise ConfigError(f"unknown key '{key}' in [{where}]{_did_you_mean(key, allowed)}; "
                              f"allowed: {', '.join(sorted(allowed))}")
    obj = cls(**table)
    _check_dataclass(where, obj)
    return obj


def model_config_from_dict(data: dict, where_prefix: str = "") -> ModelConfig:
    """Build a ModelConfig from a nested dict (the model part of a TOML file)."""
    data = apply_word_of_mouth_preset(data, where_prefix)
    kwargs: dict[str, Any] = {}
    for section, cls in SECTIONS.items():
        if section not in data:
            continue
        table = dict(data[section]) if isinstance(data[section], dict) else data[section]
        if section == "population" and isinstance(table, dict) and "conduct_types" in table:
            items = table["conduct_types"]
            if not isinstance(items, list):
                raise ConfigError("population.conduct_types must be an array of tables")
            table["conduct_types"] = tuple(
                _build(ConductType, f"{where_prefix}population.conduct_types[{i}]", item)
                for i, item in enumerate(items))
        kwargs[section] = _build(cls, where_prefix + section, table)
    custom = []
    strategies = data.get("strategies", {})
    if not isinstance(strategies, dict):
        raise ConfigError("[strategies] must be a table of named strategies")
    for name, table in strategies.items():
        custom.append(strategy_from_table(name, table, where_prefix))
    cfg = ModelConfig(**kwargs, strategies=tuple(custom))
    validate_model(cfg)
    return cfg


def strategy_from_table(name: str, table: Any, where_prefix: str = "") -> StrategyParams:
    """A user-defined strategy: ``base`` names a preset to start from (default 'open')."""
    where = f"{where_prefix}strategies.{name}"
    if not isinstance(table, dict):
        raise ConfigError(f"[{where}] must be a table")
    table = dict(table)
    base_name = table.pop("base", "open")
    if base_name not in PRESET_PARAMS:
        raise ConfigError(f"{where}.base = {base_name!r}: allowed presets are "
                          f"{', '.join(PRESET_NAMES)}{_did_you_mean(str(base_name), PRESET_NAMES)}")
    if name in PRESET_PARAMS:
        raise ConfigError(f"[{where}]: '{name}' is a preset name; choose another name")
    allowed = {f.name for f in fields(StrategyParams)} - {"name"}
    for key in table:
        if key not in allowed:
            raise ConfigError(f"unknown key '{key}' in [{where}]{_did_you_mean(key, allowed)}")
    params = replace(PRESET_PARAMS[base_name], name=name, **table)
    _check_dataclass(where, params)
    return params


def read_toml(path: str | Path) -> dict:
    """Parse a TOML file; any problem becomes one ConfigError line naming the file."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: malformed TOML: {err}") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from None


# --------------------------------------------------------------------------- presets

# The preset parameter sets; their behaviour and sources are documented in simnet.strategies.
PRESET_PARAMS: dict[str, StrategyParams] = {
    "open": StrategyParams("open", requests_per_step=1.0, stranger_share=0.7, canned_share=0.3,
                           accept_all=True, intro_min_reputation=0.5, intro_willingness=0.5),
    "selective": StrategyParams("selective", requests_per_step=0.3, stranger_share=0.0,
                                canned_share=0.0, accept_all=False, min_mutual=2,
                                min_reputation=0.5, known_threshold=2.0, refuse_canned=True,
                                intro_min_reputation=0.7, intro_willingness=0.5,
                                prune_below=0.03),
    "recruiter": StrategyParams("recruiter", requests_per_step=3.0, stranger_share=0.9,
                                canned_share=0.5, accept_all=True, intro_min_reputation=0.55,
                                intro_willingness=0.3, known_threshold=0.5),
    "connector": StrategyParams("connector", requests_per_step=1.0, stranger_share=0.3,
                                canned_share=0.0, accept_all=True, intro_min_reputation=0.4,
                                intro_willingness=1.0, known_threshold=0.0),
    "spammer": StrategyParams("spammer", requests_per_step=5.0, stranger_share=1.0,
                              canned_share=1.0, accept_all=True, intro_min_reputation=0.0,
                              intro_willingness=0.0),
}
assert tuple(PRESET_PARAMS) == PRESET_NAMES


# --------------------------------------------------------------------------- word of mouth presets

# Named sets of [word_of_mouth] values: ``[word_of_mouth] preset = "NAME"`` sets them first,
# then the table's explicit keys win. "bitcoin_otc": fitted to the Bitcoin OTC ratings by
# ``simnet validate bitcoin_otc`` (the grid point with the best mean validation AUC across
# its random splits; provenance, uncertainty and caveats in docs/validation.md).
WORD_OF_MOUTH_PRESETS: dict[str, dict[str, Any]] = {
    "bitcoin_otc": {"decay_good": 0.8, "decay_bad": 0.8, "share_good": 1.0, "share_bad": 1.0,
                    "max_hops": 4},
}


def apply_word_of_mouth_preset(data: dict, where_prefix: str = "") -> dict:
    """``data`` (a model dict) with ``word_of_mouth.preset`` replaced by the preset's values,
    explicit keys winning; unchanged without a preset. Unknown names raise ConfigError."""
    wom = data.get("word_of_mouth") if isinstance(data, dict) else None
    if not isinstance(wom, dict) or "preset" not in wom:
        return data
    wom = dict(wom)
    name = wom.pop("preset")
    if not isinstance(name, str) or name not in WORD_OF_MOUTH_PRESETS:
        known = ", ".join(WORD_OF_MOUTH_PRESETS)
        raise ConfigError(f"{where_prefix}word_of_mouth.preset = {name!r}: unknown preset; "
                          f"known: {known}{_did_you_mean(str(name), WORD_OF_MOUTH_PRESETS)}")
    return {**data, "word_of_mouth": {**WORD_OF_MOUTH_PRESETS[name], **wom}}
