"""One registry of every column the model's tables emit and every metric derived from them.

Each :class:`Metric` says what a column means, its unit, how it accumulates (``kind``),
whether higher is better, and how figures label it. The end-of-run summary, the figures,
``simnet metrics``, ``docs/metrics.md`` and the ODD description all read this registry, so
a column means one thing everywhere. A new column in a model table needs an entry here
(``tests/test_metric_registry.py`` names any column that lacks one).

Kinds:

- ``"state"``: the value at that step (ties now, perceived reputation now);
- ``"cumulative"``: counted from the start of the run up to that step;
- ``"derived"``: computed from other columns by the summary or the figures (the entry
  says how);
- ``"event"``: a property of one event row (one won opportunity);
- ``"key"``: identifies a row (step, group, agent, run).

In the per-group table (``groups``) every metric is the mean over the group's agents, so its
unit is "per agent".

This module imports nothing from simnet and nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("state", "cumulative", "derived", "event", "key")
TABLES = ("groups", "model", "agents", "opportunities", "ties", "news", "tie_exposure")


@dataclass(frozen=True)
class Metric:
    """One column or derived metric.

    ``better``: +1 if higher is better for the agents or network concerned, -1 if lower
    is, 0 if neither (a count of activity, an identity). ``lo``/``hi``: the range the value
    cannot leave (confidence intervals are clipped to it). ``label``: the axis label with
    its unit; ``short``: for legends and narrow panels; ``question``: the panel title.
    """

    name: str
    meaning: str
    unit: str
    kind: str
    tables: tuple[str, ...]
    better: int = 0
    label: str = ""
    short: str = ""
    question: str = ""
    lo: float | None = None
    hi: float | None = None

    def axis_label(self) -> str:
        return self.label or self.name.replace("_", " ")

    def short_label(self) -> str:
        return self.short or self.axis_label()

    def direction(self) -> str:
        return {1: "higher is better", -1: "lower is better"}.get(self.better, "neither")


def _m(name, meaning, unit, kind, tables, better=0, label="", short="", question="",
       lo=None, hi=None) -> Metric:
    tables = (tables,) if isinstance(tables, str) else tuple(tables)
    return Metric(name, meaning, unit, kind, tables, better, label, short, question, lo, hi)


G, A, GA = ("groups",), ("agents",), ("groups", "agents")
ZERO = 0.0

_ENTRIES = [
    # ---------------------------------------------------------------- keys
    _m("run_id", "identifier of the run (arm, sweep point and replication)", "-", "key",
       TABLES),
    _m("arm", "the experiment arm the run belongs to", "-", "key", TABLES),
    _m("replication", "replication number; the same number shares its seed across arms "
       "(common random numbers)", "-", "key", TABLES),
    _m("seed", "the run's seed", "-", "key", TABLES),
    _m("step", "step the row describes (one step is one round of networking, a week)",
       "weeks", "key", ("groups", "model", "opportunities", "news"), label="step (weeks)"),
    _m("group_by", "what the row groups agents by: 'strategy' or 'conduct_type'", "-",
       "key", G),
    _m("group", "the strategy or conduct type of the row ('all': the whole population, "
       "added by the summary)", "-", "key", G),
    _m("n_agents", "agents in the group", "agents", "key", G, label="number of agents"),
    _m("agent", "agent index", "-", "key", A),
    _m("strategy", "the agent's networking strategy", "-", "key", A),
    _m("conduct_type", "the agent's conduct type (professional, careless, spammer ...)",
       "-", "key", A),
    # ---------------------------------------------------------------- per agent
    _m("bad_actor", "whether the agent's conduct type counts as a bad actor", "true/false",
       "state", A),
    _m("conduct", "latent conduct: the probability that an interaction with the agent goes "
       "well (never observed by other agents)", "probability", "state", A, lo=0, hi=1),
    _m("seeking", "whether the agent is looking for an opportunity at the end", "true/false",
       "state", A),
    _m("degree", "ties the agent has", "ties", "state", GA, label="ties per agent",
       short="ties", question="Who builds the bigger network?", lo=ZERO),
    _m("reach2", "agents within two hops (first- and second-degree contacts)", "agents",
       "state", GA, 1, "second-degree reach (agents)", "second-degree reach",
       "Who reaches further?", lo=ZERO),
    _m("opps_direct", "opportunities won through a direct tie to the holder",
       "opportunities", "cumulative", GA, 1, "opportunities won via a direct tie per agent",
       "opportunities via direct ties", "Who wins opportunities through direct ties?",
       lo=ZERO),
    _m("opps_introduction", "opportunities won through an introduction by a mutual contact",
       "opportunities", "cumulative", GA, 1,
       "opportunities won via an introduction per agent", "opportunities via introductions",
       "Who wins opportunities through introductions?", lo=ZERO),
    _m("opps_cold", "opportunities won cold (no tie on the path)", "opportunities",
       "cumulative", GA, 1, "opportunities won cold per agent", "cold opportunities",
       "Who wins opportunities cold?", lo=ZERO),
    _m("opps_lead", "opportunities won by applying after a job lead passed on by a "
       "contact (openings open for several steps, simnet.leads)", "opportunities",
       "cumulative", GA, 1, "opportunities won via a job lead per agent",
       "opportunities via job leads", "Who wins opportunities through job leads?", lo=ZERO),
    _m("opps_total", "opportunities won by any channel", "opportunities", "cumulative", GA,
       1, "opportunities won per agent", "opportunities won",
       "Who wins more opportunities?", lo=ZERO),
    _m("reputation", "perceived reputation: mean over the agents holding evidence about it "
       "of (good + 1) / (good + bad + 2) (Jøsang and Ismail 2002); NaN if nobody does",
       "0-1", "state", GA, 1, "perceived reputation (0–1)", "perceived reputation",
       "Who is thought well of?", 0, 1),
    _m("pooled_reputation", "reputation from all evidence about the agent pooled, "
       "(good + 1) / (good + bad + 2)", "0-1", "state", GA, 1,
       "reputation, all evidence pooled (0–1)", "pooled reputation",
       "Who is thought well of, all evidence pooled?", 0, 1),
    _m("visibility", "agents holding evidence about the agent", "agents", "state", GA, 0,
       "visibility (agents holding evidence)", "visibility", "Who is seen?", lo=ZERO),
    _m("bad_suffered", "bad interactions suffered (a tie partner or hire behaving badly, a "
       "canned request received)", "interactions", "cumulative", GA, -1,
       "bad interactions suffered per agent", "bad interactions suffered",
       "Who suffers more harm?", lo=ZERO),
    _m("spam_received", "canned connection requests received", "requests", "cumulative",
       GA, -1, "spam requests received per agent", "spam received", "Who gets spammed?",
       lo=ZERO),
    _m("bad_hires", "engagements, as holder of an opportunity, that went badly", "hires",
       "cumulative", GA, -1, "bad hires per agent", "bad hires", "Who makes bad hires?",
       lo=ZERO),
    _m("capital_spent", "tie strength spent on introductions (relationship capital)",
       "tie strength", "cumulative", GA, 0, "relationship capital spent per agent",
       "capital spent", "Who spends relationship capital?", lo=ZERO),
    _m("capital_lost", "tie strength lost through introductions that went badly",
       "tie strength", "cumulative", GA, -1, "relationship capital lost per agent",
       "capital lost", "Whose introductions cost them?", lo=ZERO),
    _m("intros_made", "introductions made", "introductions", "cumulative", GA, 0,
       "introductions made per agent", "introductions made", "Who introduces people?",
       lo=ZERO),
    _m("intros_bad", "introductions made whose engagement went badly", "introductions",
       "cumulative", GA, -1, "bad introductions per agent", "bad introductions",
       "Who makes bad introductions?", lo=ZERO),
    _m("requests_sent", "connection requests sent", "requests", "cumulative", GA, 0,
       "connection requests sent per agent", "requests sent",
       "Who sends the most requests?", lo=ZERO),
    _m("requests_accepted", "connection requests sent that were accepted (a count; the "
       "share accepted is 'acceptance')", "requests", "cumulative", GA, 0,
       "connection requests accepted per agent", "requests accepted",
       "How many requests are accepted?", lo=ZERO),
    _m("interactions", "interactions along ties", "interactions", "cumulative", A, 0,
       lo=ZERO),
    _m("ties_burned", "ties dropped after a bad interaction took their strength to zero",
       "ties", "cumulative", GA, -1, "ties burned per agent", "ties burned",
       "Who burns bridges?", lo=ZERO),
    _m("ties_faded", "ties dropped after decaying to zero without contact", "ties",
       "cumulative", GA, -1, "ties faded per agent", "ties faded", "Whose ties fade?",
       lo=ZERO),
    _m("detected_step", "step at which most of a bad actor's contacts first perceived it "
       "below 0.5 (-1: never)", "weeks", "state", A),
    # ---------------------------------------------------------------- network level
    _m("ties", "ties in the network", "ties", "state", "model", 0, "ties (count)",
       "ties", "How many ties are there?", lo=ZERO),
    _m("mean_degree", "mean ties per agent", "ties", "state", "model", 0,
       "mean degree (ties per agent)", "mean degree", "How connected does the network get?",
       lo=ZERO),
    _m("clustering", "mean local clustering coefficient", "0-1", "state", "model", 0,
       "mean clustering coefficient", "clustering", "How clustered does the network get?",
       0, 1),
    _m("largest_component", "share of agents in the largest connected component", "share",
       "state", "model", 1, "largest component (share of agents)", "largest component",
       "Does the network hold together?", 0, 1),
    _m("components", "connected components", "components", "state", "model", -1,
       "connected components (count)", "components", "Does the network fall apart?",
       lo=ZERO),
    _m("path_length", "mean shortest-path length from 16 evenly spaced agents", "hops",
       "state", "model", 0, "mean path length (hops)", "path length",
       "How far apart are people?", lo=ZERO),
    _m("reputation_tau", "reputation accuracy: Kendall's tau between perceived reputation "
       "and latent conduct, over agents somebody holds evidence about", "-1..1", "state",
       "model", 1, "reputation accuracy (Kendall's τ)", "reputation accuracy",
       "Does reputation track true conduct?", -1, 1),
    _m("reputation_mae", "mean absolute error of perceived reputation against latent "
       "conduct", "0-1", "state", "model", -1, "reputation error (mean abs. error)",
       "reputation error", "How wrong is reputation?", 0, 1),
    _m("bad_found_share", "share of bad actors found out (most contacts perceive them "
       "below 0.5) by that step", "share", "state", "model", 1,
       "bad actors found out (share)", "bad actors found out",
       "How fast are bad actors found out?", 0, 1),
    _m("good_flagged_share", "share of good actors whose contacts mostly perceive them "
       "below 0.5", "share", "state", "model", -1, "good actors wrongly found out (share)",
       "good actors wrongly found out", "Are good people wrongly found out?", 0, 1),
    _m("mean_time_to_find", "mean step at which the bad actors found out so far were found "
       "out", "weeks", "state", "model", -1, "time to find a bad actor (weeks)",
       "time to find out", "How long until a bad actor is found out?", lo=ZERO),
    _m("evidence_rows", "evidence records held by all agents (memory use)", "records",
       "state", "model", 0, "evidence records (count)", "evidence records", lo=ZERO),
    # ---------------------------------------------------------------- opportunities
    _m("holder", "agent offering the opportunity", "-", "event", "opportunities"),
    _m("winner", "agent who won it", "-", "event", "opportunities"),
    _m("channel", "how the winner reached the holder: direct, introduction, lead (applied "
       "after a contact passed on a job lead) or cold", "-", "event", "opportunities"),
    _m("introducer", "agent who made the introduction (-1: none)", "-", "event",
       "opportunities"),
    _m("contact", "the winner's contact on the delivering path: the holder (direct), the "
       "introducer, or who passed on the lead; -1 cold", "-", "event", "opportunities"),
    _m("path_strength", "strength of the winner's own tie on the delivering path (to the "
       "holder, the introducer, or who passed on the lead, when it was told); 0 cold",
       "0-1", "event", "opportunities", 0,
       "strength of the delivering tie (0–1)", lo=0, hi=1),
    _m("holder_tie", "strength of the holder's tie on the path (to the winner or the "
       "introducer; 0 cold)", "0-1", "event", "opportunities", lo=0, hi=1),
    _m("mutual", "mutual connections of the winner and its contact on the path",
       "agents", "event", "opportunities", 0, "mutual connections on the delivering path",
       lo=ZERO),
    _m("good", "whether the engagement went well", "true/false", "event", "opportunities"),
    _m("winner_strategy", "the winner's strategy", "-", "event", "opportunities"),
    # ---------------------------------------------------------------- ties
    _m("u", "one end of the tie (agent index, u < v)", "-", "key", "ties"),
    _m("v", "the other end of the tie", "-", "key", "ties"),
    _m("strength", "tie strength at the end of the run", "0-1", "state", "ties", lo=0,
       hi=1),
    # ---------------------------------------------------------------- news trace
    _m("steps_since", "steps since the traced bad interaction happened (news moves one hop "
       "per step)", "weeks", "key", "news", label="weeks since it happened (= hops)"),
    _m("subject", "the agent the traced news is about", "-", "key", "news"),
    _m("aware", "agents who have heard the traced news", "agents", "state", "news", 0,
       "agents who have heard", lo=ZERO),
    _m("aware_share", "share of all agents who have heard the traced news: the chance a "
       "future decision-maker has", "share", "state", "news", 0,
       "agents who have heard (share of all)", "share aware",
       "Will the next decision-maker have heard?", 0, 1),
    _m("contacts_aware_share", "share of the subject's contacts who have heard the traced "
       "news", "share", "state", "news", 0, "subject's contacts who have heard (share)",
       "contacts aware", "Do the subject's contacts know?", 0, 1),
    _m("in_flight", "messages about the traced news still travelling", "messages", "state",
       "news", 0, "messages still travelling", lo=ZERO),
    _m("heard_weight", "total weight of the traced news heard", "evidence", "state",
       "news", 0, "weight of what was heard", lo=ZERO),
    # ---------------------------------------------------------------- tie exposure
    _m("measure", "what ties are binned by: strength, or mutual connections of the tie's "
       "two ends", "-", "key", "tie_exposure"),
    _m("bin", "the bin of tie strength ((lo, hi]; the first closed) or of mutual "
       "connections ([lo, hi))", "-", "key", "tie_exposure"),
    _m("bin_index", "the bin's position, 0 the weakest or fewest", "-", "key",
       "tie_exposure"),
    _m("exposure", "seeker tie-steps: each step, every tie of every agent seeking an "
       "opportunity counts one in its bin (Rajkumar et al. 2022's exposure)", "tie-steps",
       "cumulative", "tie_exposure", 0, "exposure (seeker tie-steps)", lo=ZERO),
    _m("opportunities", "opportunities won through a tie of the bin (direct, introduction "
       "or lead)", "opportunities", "cumulative", "tie_exposure", 1,
       "opportunities won through such ties", lo=ZERO),
    _m("rate", "opportunities won through ties of the bin per 1,000 seeker tie-steps of "
       "exposure", "opportunities per 1,000 tie-steps", "derived", "tie_exposure", 1,
       "opportunities per 1,000 tie-steps", "per 1,000 tie-steps",
       "Which ties deliver, per tie and step?", lo=ZERO),
    _m("leads", "job leads told to a seeker over a tie of the bin", "leads", "cumulative",
       "tie_exposure", 0, "job leads told to seekers", lo=ZERO),
    _m("new_leads", "job leads told to a seeker over a tie of the bin that the seeker had "
       "not heard before", "leads", "cumulative", "tie_exposure", 1,
       "job leads new to the seeker", lo=ZERO),
    _m("new_share", "share of the job leads told over ties of the bin that were new to the "
       "seeker: new_leads / leads", "share", "derived", "tie_exposure", 1,
       "leads new to the seeker (share)", "new leads", "Which ties bring news?", 0, 1),
    # ---------------------------------------------------------------- derived
    _m("acceptance", "share of the connection requests sent so far that were accepted: "
       "requests_accepted / requests_sent", "share", "derived", G, 0,
       "share of requests accepted (so far)", "share accepted",
       "Whose requests are accepted?", 0, 1),
    _m("acceptance_rate", "share of the connection requests sent since the previous "
       "recorded step that were accepted: Δrequests_accepted / Δrequests_sent",
       "share", "derived", G, 0, "share of requests accepted (per interval)",
       "acceptance rate", "Are their requests still accepted?", 0, 1),
    _m("per_100_ties", "won opportunities delivered through ties of a bin, per 100 ties "
       "of that bin at the end of the run", "opportunities per 100 ties", "derived",
       "opportunities", 0, "opportunities won per 100 ties", "per 100 ties",
       "Which ties deliver, per tie?", lo=ZERO),
]

REGISTRY: dict[str, Metric] = {m.name: m for m in _ENTRIES}
assert len(REGISTRY) == len(_ENTRIES), "a metric is registered twice"
assert all(m.kind in KINDS for m in _ENTRIES)


def get(name: str) -> Metric | None:
    """The registry entry of ``name``, or None."""
    return REGISTRY.get(name)


def metrics_of(table: str, kinds: tuple[str, ...] = KINDS) -> list[Metric]:
    """The entries of the columns of one table, of the given kinds, in registry order."""
    return [m for m in _ENTRIES if table in m.tables and m.kind in kinds]


def markdown() -> str:
    """The registry as Markdown (``docs/metrics.md``; ``simnet metrics --format markdown``)."""
    lines = ["# Metrics", "",
             "Every column simnet's result tables hold, and the metrics derived from them. "
             "Generated from `simnet/metric_registry.py` by `simnet metrics --format markdown "
             "> docs/metrics.md`; do not edit by hand.", "",
             "Kinds: *state* is the value at that step; *cumulative* is counted from the "
             "start of the run; *derived* is computed by the summary or the figures; *event* "
             "describes one event row; *key* identifies a row. In the `groups` table every "
             "metric is the mean over the group's agents (per agent).", ""]
    for table in (*TABLES, "derived"):
        entries = [m for m in _ENTRIES if m.kind == "derived"] if table == "derived" else [
            m for m in _ENTRIES if m.tables[0] == table and m.kind not in ("derived", "key")]
        if not entries:
            continue
        title = "Derived metrics" if table == "derived" else f"Table `{table}`"
        lines += [f"## {title}", "", "| name | meaning | unit | kind | direction |",
                  "|---|---|---|---|---|"]
        for m in entries:
            also = [t for t in m.tables if t != table and table != "derived"]
            where = f" (also in {', '.join(f'`{t}`' for t in also)})" if also else ""
            lines.append(f"| `{m.name}` | {m.meaning}{where} | {m.unit} | {m.kind} | "
                         f"{m.direction()} |")
        lines.append("")
    keys = [m for m in _ENTRIES if m.kind == "key"]
    lines += ["## Row keys", "", "| name | meaning | tables |", "|---|---|---|"]
    for m in keys:
        lines.append(f"| `{m.name}` | {m.meaning} | {', '.join(m.tables)} |")
    return "\n".join(lines) + "\n"


def text_table() -> str:
    """The registry as plain text, one metric a line (``simnet metrics``)."""
    width = max(len(m.name) for m in _ENTRIES)
    lines = []
    for m in _ENTRIES:
        if m.kind == "key":
            continue
        lines.append(f"{m.name:<{width}}  {m.kind:<10} {m.unit:<14} {m.direction():<17} "
                     f"{m.meaning}  [{', '.join(m.tables)}]")
    return "\n".join(lines)
