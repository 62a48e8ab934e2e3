"""The visualisation's parts, without a browser: layout, figures, controls, and the Solara
page rendered in a virtual kernel, its buttons clicked from Python."""

from __future__ import annotations

import importlib
import os
import socket
import sys
import uuid

import numpy as np
import pytest

pytest.importorskip("solara", reason="the 'viz' extra is not installed")

import ipyvuetify as v
import ipywidgets as widgets
import solara
import solara.server.app  # patches ipywidgets so widgets live in virtual kernels
from solara.server import kernel, kernel_context

from simnet.config import ConfigError, ModelConfig
from simnet.viz import drawing, page
from simnet.viz.layout import compute_layout, snowball_sample

SMALL_EXPERIMENT = """\
[experiment]
name = "viz-small"
seed = 7

[population]
n_agents = 60

[network]
kind = "communities"
mean_degree = 6
"""


@pytest.fixture
def small_experiment(tmp_path, monkeypatch):
    path = tmp_path / "small.toml"
    path.write_text(SMALL_EXPERIMENT)
    monkeypatch.setenv(page.ENV_EXPERIMENT, str(path))
    return path


@pytest.fixture
def small_model(small_experiment):
    return page.make_model()


@pytest.fixture
def kernel_ctx():
    """A virtual Solara kernel, as one browser tab would get from the server."""
    context = kernel_context.VirtualKernelContext(
        id=f"test-{uuid.uuid4()}", kernel=kernel.Kernel(), session_id="test-session")
    try:
        with context:
            yield context
    finally:
        with context:
            context.close()


def _shows(rc, text: str) -> bool:
    """Whether a widget in the rendered tree has exactly ``text`` as its children."""
    return bool(rc.find(children=[text]).widgets)


def _html(rc) -> str:
    return "\n".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)


# ----------------------------------------------------------------------------- layout

def test_snowball_sample_is_connected_neighbourhood_and_deterministic():
    # a path 0-1-2-...-99 plus a hub 100 tied to 0..9
    u = np.r_[np.arange(99), np.full(10, 100)]
    v_ = np.r_[np.arange(1, 100), np.arange(10)]
    first = snowball_sample(101, u, v_, 15)
    assert first.size == 15
    assert 100 in first  # starts from the best-connected agent
    assert set(range(10)) <= set(first.tolist())
    np.testing.assert_array_equal(first, snowball_sample(101, u, v_, 15))
    # a size beyond a component restarts elsewhere; beyond n takes everyone
    assert snowball_sample(4, np.array([0]), np.array([1]), 3).size == 3
    assert snowball_sample(4, np.array([0]), np.array([1]), 10).size == 4


def test_force_layout_from_a_start_pulls_tied_agents_together():
    from simnet.plots.network import force_layout

    pos = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]) * 0.5
    out = force_layout(4, np.array([0]), np.array([3]), np.array([1.0]), iterations=40,
                       start=pos)
    d = np.linalg.norm(out[:, None] - out[None], axis=-1)
    assert d[0, 3] < d[0, 1] and d[0, 3] < d[1, 2]


def test_layout_small_model_draws_everyone_in_unit_square(small_model):
    layout = compute_layout(small_model.world)
    assert not layout.sampled
    np.testing.assert_array_equal(layout.nodes, np.arange(60))
    assert layout.pos.shape == (60, 2)
    assert layout.pos.min() >= 0.0 and layout.pos.max() <= 1.0
    again = compute_layout(small_model.world)
    np.testing.assert_array_equal(layout.pos, again.pos)
    assert "all 60 agents" in layout.note


def test_layout_large_model_is_a_sample(small_model):
    layout = compute_layout(small_model.world, max_drawn=40, sample_size=25)
    assert layout.sampled and layout.nodes.size == 25
    assert "25 of 60 agents" in layout.note
    local = layout.local_index()
    assert (local[layout.nodes] == np.arange(25)).all() and (local >= 0).sum() == 25


def test_layout_is_computed_once_per_model(small_experiment):
    model = page.make_model()
    first = drawing.layout_for(model)
    model.step()
    assert drawing.layout_for(model) is first
    assert drawing.layout_for(page.make_model()) is not first


# ----------------------------------------------------------------------------- drawing

def test_node_colours_shade_by_reputation():
    blue = np.array([[0.2, 0.4, 0.8]] * 4)
    out = drawing.node_colours(blue, np.array([0.5, np.nan, 1.0, 0.0]))
    np.testing.assert_allclose(out[0], blue[0])
    np.testing.assert_allclose(out[1], blue[0])  # unknown = the strategy's own colour
    assert (out[2] > blue[0]).all()  # better: lighter
    assert (out[3] < blue[0]).all()  # worse: darker
    assert out.min() >= 0 and out.max() <= 1


def test_strategy_colours_are_stable_and_match_the_figures():
    from simnet.plots.style import STRATEGY_COLORS

    colours = drawing.strategy_colours(["open", "mine", "spammer", "other"])
    assert colours["open"] == STRATEGY_COLORS["open"]
    assert colours["spammer"] == STRATEGY_COLORS["spammer"]
    assert len({colours["mine"], colours["other"], colours["open"]}) == 3


def test_network_figure_shows_ties_strategies_and_bad_actors(small_model):
    small_model.step()
    fig = drawing.network_figure(small_model)
    ax = fig.axes[0]
    lines = ax.collections[0]
    assert len(lines.get_segments()) == len(small_model.world.ties)
    widths = np.asarray(lines.get_linewidths())
    assert widths.max() > widths.min()  # tie strength drives width
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    world = small_model.world
    for sid in np.unique(world.strategy_id):
        name = world.strategy_names[sid]
        assert any(t.startswith(f"{name} ({int((world.strategy_id == sid).sum())})")
                   for t in legend)
    assert f"bad actor ({int(world.is_bad.sum())})" in legend
    drawn = sum(len(c.get_offsets()) for c in ax.collections[1:3])
    assert drawn == world.n
    footer = fig.texts[0].get_text()
    assert footer.startswith("Step 1 ·") and "all 60 agents" in footer
    assert page.figure_png(fig).startswith(b"\x89PNG")


def test_strategy_plots_grow_with_steps(small_model):
    for _ in range(3):
        small_model.step()
    fig = drawing.strategy_plots_figure(small_model)
    titles = [[t.get_text() for t in ax.texts if t.get_gid() == "title"] for ax in fig.axes]
    assert titles == [[t] for _, t in drawing.PLOTTED]
    strategies = sorted({small_model.world.strategy_names[s]
                         for s in np.unique(small_model.world.strategy_id)})
    table = small_model.datacollector.get_table_dataframe("groups")
    for ax, (column, _) in zip(fig.axes, drawing.PLOTTED, strict=True):
        lines = [ln for ln in ax.get_lines() if ln.get_label() in strategies]
        assert sorted(ln.get_label() for ln in lines) == strategies
        for ln in lines:
            np.testing.assert_array_equal(ln.get_xdata(), [0, 1, 2, 3])
            rows = table[(table.group_by == "strategy") & (table.group == ln.get_label())]
            np.testing.assert_allclose(ln.get_ydata(), rows[column].to_numpy(float))


def test_summary_is_per_strategy_at_the_current_step(small_model):
    small_model.step()
    small_model.step()
    summary = drawing.summary_table(small_model)
    world = small_model.world
    names = sorted(world.strategy_names[s] for s in np.unique(world.strategy_id))
    assert sorted(summary.index) == names
    assert summary["agents"].sum() == world.n
    html = drawing.summary_html(small_model)
    assert "step: <b>2</b>" in html and "agents: <b>60</b>" in html
    for name in names:
        assert f"</span> {name}</td>" in html


# ----------------------------------------------------------------------------- controls

def test_model_params_offer_the_controls_with_base_values(small_experiment):
    params = page.model_params()
    assert isinstance(params["config"], ModelConfig)  # fixed: the experiment's config
    controls = {k: p for k, p in params.items() if isinstance(p, dict)}
    assert set(controls) == {"n_agents", "open_share", "bad_share", "decay_bad",
                             "decay_good", "max_hops", "kind", "rng"}
    assert controls["n_agents"]["value"] == 60 and controls["n_agents"]["min"] > 6
    assert controls["kind"]["value"] == "communities"
    assert set(controls["kind"]["values"]) == {"small_world", "scale_free", "random",
                                               "communities"}
    assert controls["rng"]["value"] == 7
    assert controls["open_share"]["value"] == 0.5
    assert controls["bad_share"]["value"] == pytest.approx(0.15)
    model = page.make_model(params)
    assert isinstance(model, page.PageModel) and model.world.n == 60
    assert model.config.network.kind == "communities" and model.page_seed == 7


def test_model_params_without_experiment_use_a_small_default(monkeypatch):
    monkeypatch.delenv(page.ENV_EXPERIMENT, raising=False)
    params = page.model_params()
    assert params["n_agents"]["value"] == page.DEFAULT_AGENTS
    assert params["config"].population.n_agents == page.DEFAULT_AGENTS


def test_model_params_keep_a_custom_mix_and_drop_meaningless_controls():
    cfg = ModelConfig().with_overrides(n_agents=50, strategy_mix={"open": 0.5, "connector": 0.5})
    from dataclasses import replace

    only_good = replace(cfg.population, conduct_types=(cfg.population.conduct_types[0],))
    cfg = replace(cfg, population=only_good)
    params = page.model_params(page.BaseSetup(cfg))
    assert "open_share" not in params and "bad_share" not in params


def test_same_controls_same_model(small_experiment):
    a, b = page.make_model(), page.make_model()
    for m in (a, b):
        m.step()
    np.testing.assert_array_equal(a.world.ties.u, b.world.ties.u)
    np.testing.assert_array_equal(a.world.conduct, b.world.conduct)


# ----------------------------------------------------------------------------- the page

def test_page_renders_steps_and_resets(small_experiment, kernel_ctx):
    _box, rc = solara.render(solara.AppLayout(children=[page.Page()]), handle_error=False)
    assert _shows(rc, "Step: 0")
    labels = [s.label for s in rc.find(v.Slider).widgets]
    for label in ("Number of agents", "Open share (rest selective)", "Bad-actor share",
                  "Word of mouth: bad news kept per hop",
                  "Word of mouth: good news kept per hop", "Word of mouth: hop limit", "Seed"):
        assert label in labels
    network = rc.find(v.Select, label="Network").widget
    assert network.v_model == "communities"
    html = _html(rc)
    assert "60 agents · communities network" in html and "seed 7" in html
    assert "Now, at step 0" in html
    images = [bytes(w.value) for w in rc.find(widgets.Image).widgets]
    assert len(images) == 2 and all(im.startswith(b"\x89PNG") for im in images)

    step = rc.find(v.Btn, children=["Step"]).widget
    step.click()
    step.click()
    assert _shows(rc, "Step: 2")
    assert "Now, at step 2" in _html(rc)
    after = [bytes(w.value) for w in rc.find(widgets.Image).widgets]
    assert after[0] != images[0] and after[1] != images[1]  # network and plots redrawn

    # change controls, then Reset builds a new model from them
    rc.find(v.Slider, label="Number of agents").widget.v_model = 80
    network.v_model = "random"
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _shows(rc, "Step: 0")
    assert "80 agents · random network" in _html(rc)


# ----------------------------------------------------------------------------- serving

def test_serve_rejects_a_bad_experiment_before_starting(tmp_path):
    from simnet.viz import serve

    bad = tmp_path / "bad.toml"
    bad.write_text("[population]\nn_agents = -3\n")
    with pytest.raises(ConfigError, match="n_agents"):
        serve(str(bad), port=0)


def test_serve_refuses_a_taken_port():
    from simnet.viz import serve

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(OSError, match=f"127.0.0.1:{port}") as info:
            serve(None, port=port)
        assert info.value.strerror and "127.0.0.1" not in info.value.strerror


def test_main_reports_errors_in_one_line(tmp_path, capsys):
    from simnet.viz.__main__ import main

    assert main([str(tmp_path / "missing.toml"), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("simnet viz: error:") and err.count("\n") == 1


def test_offline_assets_match_solara():
    from simnet.viz.server import offline_problem

    assert offline_problem() is None


def test_configure_sets_offline_settings(monkeypatch, tmp_path):
    import solara.server.settings as server_settings

    from simnet.viz.server import configure

    for name in ("SIMNET_VIZ_EXPERIMENT", "SOLARA_APP", "SOLARA_ASSETS_PROXY",
                 "SOLARA_TELEMETRY_MIXPANEL_ENABLE", "SOLARA_MODE", "MPLBACKEND",
                 "SOLARA_KERNEL_CULL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(solara.settings.assets, "proxy", False)
    monkeypatch.setattr(server_settings.telemetry, "mixpanel_enable", True)
    monkeypatch.setattr(server_settings.main, "mode", "development")
    monkeypatch.setattr(server_settings.kernel, "cull_timeout", "24h")
    configure(str(tmp_path / "x.toml"))
    assert os.environ["SIMNET_VIZ_EXPERIMENT"] == str((tmp_path / "x.toml").resolve())
    assert os.environ["SOLARA_APP"] == "simnet.viz.app:Page"
    assert solara.settings.assets.proxy is True
    assert server_settings.telemetry.mixpanel_enable is False
    assert server_settings.main.mode == "production"
    assert server_settings.kernel.cull_timeout == "5m"


def test_importing_simnet_viz_does_not_import_solara_server():
    code = ("import sys, simnet.viz; "
            "sys.exit(1 if any(m.startswith('solara') for m in sys.modules) else 0)")
    import subprocess

    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_app_module_exposes_the_page():
    app = importlib.import_module("simnet.viz.app")
    assert app.Page is page.Page
    assert app.page.component is page.Page


def test_benchmark_times_every_part():
    from simnet.viz.bench import benchmark

    result = benchmark(n_agents=40, steps=2)
    for key in ("step", "network", "plots", "summary", "total", "total_cpu", "layout"):
        assert result[key] >= 0.0
    assert result["total"] >= result["network"]
