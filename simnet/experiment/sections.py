"""The ``[arms]``, ``[output]``, ``[[plots.figure]]`` and ``[quick]`` sections of an
experiment file: each parsed and checked on its own (the experiment as a whole is built
in :mod:`simnet.experiment.config`).
"""

from __future__ import annotations

import copy
from typing import Any

from simnet.config import (
    FIELD_SECTION,
    ModelConfig,
    _did_you_mean,
)
from simnet.experiment.checks import (
    _check_keys,
    _err,
    _is_number,
    _plain_name,
    _whole,
    apply_overrides,
)
from simnet.experiment.schema import (
    FIGURE_KEYS,
    FIGURE_KINDS,
    FIGURE_MAX_INCHES,
    FIGURE_MIN_INCHES,
    FIGURE_WIDTHS,
    GROUP_BY,
    NEWS_METRICS,
    OUTPUT_KEYS,
    QUICK_KEYS,
    TABLES,
    WEAK_TIES_Y,
    Arm,
    OutputSpec,
    Sweep,
)


def _parse_arms(table: dict, base: ModelConfig, base_dir: str | None) -> tuple[Arm, ...]:
    if not table:
        raise _err("[arms] is empty: add [arms.NAME] tables of overrides, or remove [arms]")
    arms = []
    for name, overrides in table.items():
        _plain_name("arms name", name)
        if not isinstance(overrides, dict):
            raise _err(f"arms.{name} = {overrides!r}: expected a table of model-parameter "
                       f"overrides ([arms.{name}])")
        model = apply_overrides(base, overrides, f"arms.{name}", base_dir)
        arms.append(Arm(name, copy.deepcopy(overrides), model))
    return tuple(arms)

def _parse_output(table: dict) -> OutputSpec:
    from simnet.metrics import GROUP_METRICS, MODEL_REPORTERS

    _check_keys("output", table, OUTPUT_KEYS)

    def names(key: str, known) -> tuple[str, ...] | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _err(f"output.{key} = {value!r}: expected a list of names")
        for v in value:
            if v not in known:
                raise _err(f"output.{key}: unknown name '{v}'{_did_you_mean(v, known)}; "
                           f"known: {', '.join(known)}")
        return tuple(value)

    metrics = names("metrics", GROUP_METRICS)
    model_metrics = names("model_metrics", MODEL_REPORTERS)
    tables = names("tables", TABLES)
    if tables is not None and not tables:
        raise _err("output.tables is empty: keep at least 'groups'")
    every = _whole("output.every", table.get("every", 1), 1, 1_000_000)
    ties_max = _whole("output.ties_max_agents", table.get("ties_max_agents", 2000), 0,
                      100_000_000)
    return OutputSpec(metrics, model_metrics, every, tables or TABLES, ties_max)

def _check_figures(plots: Any, varied: tuple[str, ...],
                   arms: tuple[str, ...] = ()) -> tuple[dict, ...]:
    from simnet.metrics import GROUP_METRICS, MODEL_REPORTERS

    if not isinstance(plots, dict):
        raise _err("[plots] must be a table holding [[plots.figure]] entries")
    _check_keys("plots", plots, ("figure",))
    figures = plots.get("figure", [])
    if not isinstance(figures, list):
        raise _err("plots.figure must be an array of tables: write [[plots.figure]]")
    from simnet.metric_registry import metrics_of

    derived = tuple(m.name for m in metrics_of("groups", ("derived",)))  # acceptance ...
    metrics = (*GROUP_METRICS, *MODEL_REPORTERS, *derived)
    axes = (*varied, "step", "arm")
    out = []
    for i, spec in enumerate(figures):
        where = f"plots.figure[{i}]"
        if not isinstance(spec, dict):
            raise _err(f"{where}: expected a table with a 'kind'")
        kind = spec.get("kind")
        if kind is None:
            raise _err(f"{where}.kind is required; allowed: {', '.join(FIGURE_KINDS)}")
        if kind not in FIGURE_KINDS:
            raise _err(f"{where}.kind = {kind!r}: allowed values are "
                       f"{', '.join(FIGURE_KINDS)}{_did_you_mean(str(kind), FIGURE_KINDS)}")
        _check_keys(where, spec, FIGURE_KEYS)
        for key, value in spec.items():
            if isinstance(value, bool) or not isinstance(value, FIGURE_KEYS[key]):
                kinds = " or ".join(t.__name__ for t in FIGURE_KEYS[key])
                raise _err(f"{where}.{key} = {value!r}: expected {kinds}")
        if "group_by" in spec and spec["group_by"] not in GROUP_BY:
            raise _err(f"{where}.group_by = {spec['group_by']!r}: allowed values are "
                       f"{', '.join(GROUP_BY)}")
        metric = spec.get("metric")
        if metric is not None:
            names = metric if isinstance(metric, list) else [metric]
            known = NEWS_METRICS if kind == "news_reach" else metrics
            for m in names:
                if not isinstance(m, str) or (kind != "weak_ties" and m not in known):
                    raise _err(f"{where}.metric: unknown metric {m!r}"
                               f"{_did_you_mean(str(m), known)}")
        for key in ("x", "y"):
            if key in spec and kind in ("outcomes", "differences", "heatmap") \
                    and spec[key] not in axes:
                raise _err(f"{where}.{key} = {spec[key]!r}: expected a varied parameter"
                           f" ({', '.join(varied) or 'none: add a [sweep]'}), 'step' or "
                           f"'arm'")
        _check_figure_values(where, kind, spec, arms)
        if kind == "heatmap" and len(varied) < 2 and not ("x" in spec and "y" in spec):
            raise _err(f"{where}: a heatmap needs two varied parameters in [sweep]")
        try:  # the plotting module's own checks, when it is there
            from simnet.plots.spec import check_figure_spec
        except ImportError:
            pass
        else:
            try:
                check_figure_spec(dict(spec), where=where)
            except ValueError as err:
                raise _err(str(err).splitlines()[0]) from None
        out.append(dict(spec))
    return tuple(out)

def _check_figure_values(where: str, kind: str, spec: dict, arms: tuple[str, ...]) -> None:
    """Values a figure kind cannot draw, refused now rather than skipped at plot time."""
    width = spec.get("width")
    if isinstance(width, str) and width not in FIGURE_WIDTHS:
        raise _err(f"{where}.width = {width!r}: expected 'single', 'double' or a width in "
                   f"inches")
    if _is_number(width) and not (FIGURE_MIN_INCHES <= width <= FIGURE_MAX_INCHES):
        raise _err(f"{where}.width = {width!r} is out of range: allowed "
                   f"[{FIGURE_MIN_INCHES}, {FIGURE_MAX_INCHES}] inches, 'single' or 'double'")
    if kind == "weak_ties" and "y" in spec and spec["y"] not in WEAK_TIES_Y:
        raise _err(f"{where}.y = {spec['y']!r}: a weak_ties figure shows "
                   f"{', '.join(WEAK_TIES_Y)}{_did_you_mean(str(spec['y']), WEAK_TIES_Y)}")
    if "between" in spec:
        if spec["between"] not in ("group", "arm"):
            raise _err(f"{where}.between = {spec['between']!r}: expected 'group' or 'arm'")
        if spec["between"] == "arm" and len(arms) < 2:
            raise _err(f"{where}.between = 'arm' needs at least two [arms.NAME] tables "
                       f"(the experiment has {len(arms) or 'none'})")
    compare = spec.get("compare")
    if compare is not None and (len(compare) != 2
                                or not all(isinstance(c, str) for c in compare)):
        raise _err(f"{where}.compare = {compare!r}: expected two names [a, b]")
    if compare is not None and spec.get("between") == "arm":
        for name in compare:
            if name not in arms:
                raise _err(f"{where}.compare: {name!r} is not an arm; arms: "
                           f"{', '.join(arms)}{_did_you_mean(name, arms)}")

def _check_quick(table: dict, sweep: Sweep) -> dict:
    allowed = (*QUICK_KEYS, *FIELD_SECTION)
    for key in table:
        if key not in allowed:
            raise _err(f"unknown key '{key}' in [quick]{_did_you_mean(key, allowed)}; "
                       f"allowed: steps, replications, samples, every, sweep or a model "
                       f"parameter")
    if "samples" in table and sweep.design in ("grid", "morris"):
        raise _err("quick.samples only applies to a sampled design (design = 'lhs' or "
                   "'sobol'); a Morris design takes quick.trajectories")
    if "trajectories" in table and sweep.design != "morris":
        raise _err("quick.trajectories only applies to design = 'morris'")
    if "sweep" in table and not isinstance(table["sweep"], dict):
        raise _err("[quick.sweep] must be a table")
    if "sweep" in table and not sweep.params:
        raise _err("[quick.sweep] given but the experiment has no [sweep]")
    return copy.deepcopy(table)
