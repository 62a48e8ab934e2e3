"""The metric registry: every column the model's tables emit has an entry, the docs are
generated from it, and the summary and the figures label a metric the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from simnet.config import ModelConfig
from simnet.metric_registry import KINDS, REGISTRY, TABLES, markdown
from simnet.runner import MAIN_OUTCOMES, run_model

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def model_tables():
    """Every table a small run emits (the trace starts at step 2, so news is recorded)."""
    cfg = ModelConfig().with_overrides(n_agents=80, mean_degree=6, trace_step=2,
                                       opportunity_rate=0.1)
    tables, _ = run_model(cfg, seed=3, steps=6)
    return tables


def test_every_column_the_model_emits_has_a_registry_entry(model_tables):
    assert set(model_tables) == set(TABLES), "a table the registry does not know about"
    missing = [f"{table}.{column}" for table, frame in model_tables.items()
               for column in frame.columns if column not in REGISTRY]
    assert not missing, (
        f"these columns have no entry in simnet/metric_registry.py: {', '.join(missing)}. "
        "Add one _m(name, meaning, unit, kind, tables, better, label, short, question, lo, "
        "hi) per column, then regenerate the docs: simnet metrics --format markdown > "
        "docs/metrics.md")
    elsewhere = [f"{table}.{column} (registered for {', '.join(REGISTRY[column].tables)})"
                 for table, frame in model_tables.items() for column in frame.columns
                 if table not in REGISTRY[column].tables]
    assert not elsewhere, ("these columns' registry entries do not list the table they "
                           f"appear in (simnet/metric_registry.py): {', '.join(elsewhere)}")


def test_entries_are_complete():
    for m in REGISTRY.values():
        assert m.kind in KINDS and m.meaning and m.unit, m.name
        assert m.better in (-1, 0, 1), m.name
        if m.lo is not None and m.hi is not None:
            assert m.lo < m.hi, m.name


def test_requests_accepted_means_one_thing_everywhere():
    """The count is the count; the share accepted is its own metric (was: a ratio in the
    summary and a cumulative count in the figures, both called 'requests accepted')."""
    from simnet.plots.style import bounds, label, short_label

    assert REGISTRY["requests_accepted"].kind == "cumulative"
    assert label("requests_accepted") == "connection requests accepted per agent"
    assert MAIN_OUTCOMES["acceptance"] == short_label("acceptance") == "share accepted"
    assert bounds("acceptance") == (0, 1) and bounds("requests_accepted") == (0.0, None)


def test_docs_metrics_md_is_current():
    current = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert current == markdown(), ("docs/metrics.md is out of date; regenerate it with: "
                                   "simnet metrics --format markdown > docs/metrics.md")
