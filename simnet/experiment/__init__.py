"""Experiment files: a validated model configuration plus how to run it.

An experiment is one TOML file. Everything in it is checked before anything runs, and any
mistake is reported as a :class:`~simnet.config.ConfigError` whose one-line message names
the field. The full schema, with examples, is in ``docs/experiments.md``; in short:

``[experiment]``
    ``name`` (the results folder; default: the file's stem), ``description``, ``seed`` (the
    root seed, a whole number >= 0), ``steps`` (per run), ``replications`` (runs per
    configuration, each with its own seed), ``baseline`` (the arm paired differences are
    taken against; default: the first arm).

``[population]``, ``[network]``, ``[ties]``, ``[evidence]``, ``[word_of_mouth]``, ...
    The base model configuration (also ``[opportunities]`` and ``[strategies.NAME]``),
    exactly as :mod:`simnet.config` reads it.

``[sweep]``
    The parameters to vary. A grid (the default, ``design = "grid"``): any model parameter
    by its plain name (as ``ModelConfig.with_overrides`` accepts it) with a list of values,
    e.g. ``open_share = [0.2, 0.5, 0.8]``; every combination is run. Or a sampled design:
    ``design = "lhs"`` (Latin hypercube) or ``"sobol"`` (Saltelli's scheme, via SALib, for
    Sobol sensitivity indices), with ``samples`` (sobol: a power of two; it makes
    ``samples * (2 D + 2)`` points, or ``samples * (D + 2)`` with ``second_order = false``)
    and ``[sweep.bounds]``: ``parameter = [low, high]`` (``[false, true]`` for a switch). Or
    ``design = "morris"`` (elementary effects, via SALib) with ``trajectories``, ``levels``
    (even, default 4) and ``[sweep.bounds]``: ``trajectories * (D + 1 + 3)`` points, since
    three dummy factors that change only the seed are added as a noise floor (see
    :mod:`simnet.sensitivity`). A custom strategy's policy parameter is swept as
    ``STRATEGY.PARAMETER`` (say ``"cautious.min_mutual" = [0, 4]``) in any design.

``[arms.NAME]``
    The arms of a comparison: each a table of model-parameter overrides (plain names), and
    optionally ``[arms.NAME.strategies.S]`` to change or define custom strategy ``S``. Every
    arm runs every sweep point with the same seeds (common random numbers).

``[output]``
    ``metrics`` (the per-group metrics to keep; default all of
    ``simnet.metrics.GROUP_METRICS``), ``model_metrics`` (default all of
    ``simnet.model.MODEL_REPORTERS``), ``every`` (keep every k-th step, plus the last),
    ``tables`` (which of :data:`TABLES` to write) and ``ties_max_agents`` (write the tie
    table only for runs with at most this many agents; default 2000).

``[quick]``
    The ``--quick`` size, for CI: ``steps``, ``replications``, ``samples`` (or
    ``trajectories`` for a Morris design), ``every``, any
    model parameter (say ``n_agents``), and ``[quick.sweep]`` to replace sweep entries.
    Without it, ``--quick`` caps n_agents at 200, steps at 10 and replications at 2.

``[[plots.figure]]``
    The figures ``simnet run`` draws: ``kind`` (one of :data:`FIGURE_KINDS`) and optional
    ``metric``, ``x``, ``y``, ``group_by`` ("strategy" or "conduct_type"), ``compare``,
    ``between``, ``width`` and ``name`` (see ``simnet.plots``).

The package's modules, lowest first (each imports only from those before it):
:mod:`~simnet.experiment.schema` (names, keys, limits; :class:`Sweep`, :class:`OutputSpec`,
:class:`Arm`), :mod:`~simnet.experiment.checks` (field checks, :func:`apply_overrides`),
:mod:`~simnet.experiment.designs` (``[sweep]``, the Morris screen),
:mod:`~simnet.experiment.sections` (arms, output, figures, quick),
:mod:`~simnet.experiment.config` (:class:`ExperimentConfig`, :func:`experiment_from_dict`)
and :mod:`~simnet.experiment.files` (:func:`load_experiment`). Import every name from
``simnet.experiment``.
"""

from __future__ import annotations

from simnet.experiment.checks import _cast as _cast  # private; simnet.sweep imports it
from simnet.experiment.checks import apply_overrides
from simnet.experiment.config import (
    ExperimentConfig,
    experiment_from_dict,
)
from simnet.experiment.designs import (
    morris_points,
    morris_problem,
    morris_run_seed,
    morris_sample,
    morris_seed_keys,
)
from simnet.experiment.files import (
    load_experiment,
    read_experiment_file,
)
from simnet.experiment.schema import (
    DEFAULT_QUICK,
    DESIGN_ALIASES,
    DESIGNS,
    EXPERIMENT_KEYS,
    FIGURE_KEYS,
    FIGURE_KINDS,
    FIGURE_MAX_INCHES,
    FIGURE_MIN_INCHES,
    FIGURE_WIDTHS,
    GROUP_BY,
    MAX_FILE_BYTES,
    MAX_NESTING,
    MAX_SEED,
    MORRIS_KEYS,
    NEWS_METRICS,
    OUTPUT_KEYS,
    QUICK_KEYS,
    SAMPLED_KEYS,
    SEED_FACTOR,
    SEED_FACTORS,
    TABLES,
    TOP_SECTIONS,
    WEAK_TIES_Y,
    Arm,
    OutputSpec,
    Sweep,
)

__all__ = [
    "DEFAULT_QUICK",
    "DESIGNS",
    "DESIGN_ALIASES",
    "EXPERIMENT_KEYS",
    "FIGURE_KEYS",
    "FIGURE_KINDS",
    "FIGURE_MAX_INCHES",
    "FIGURE_MIN_INCHES",
    "FIGURE_WIDTHS",
    "GROUP_BY",
    "MAX_FILE_BYTES",
    "MAX_NESTING",
    "MAX_SEED",
    "MORRIS_KEYS",
    "NEWS_METRICS",
    "OUTPUT_KEYS",
    "QUICK_KEYS",
    "SAMPLED_KEYS",
    "SEED_FACTOR",
    "SEED_FACTORS",
    "TABLES",
    "TOP_SECTIONS",
    "WEAK_TIES_Y",
    "Arm",
    "ExperimentConfig",
    "OutputSpec",
    "Sweep",
    "apply_overrides",
    "experiment_from_dict",
    "load_experiment",
    "morris_points",
    "morris_problem",
    "morris_run_seed",
    "morris_sample",
    "morris_seed_keys",
    "read_experiment_file",
]
