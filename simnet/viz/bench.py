"""Time one step plus redraw, as the page does it: ``python -m simnet.viz.bench``.

Each round steps the model, then draws what the page shows after a step: the network
figure and the strategy plots (to PNG, as sent to the browser) and the summary table.
The first-draw layout is timed separately (it runs once per Reset). Wall-clock medians
per part, plus the process CPU time of a whole round (``total_cpu``: the figure to
trust on a machine shared with other work).
"""

from __future__ import annotations

import argparse
import statistics
import time

from simnet.viz import drawing, page


def benchmark(n_agents: int = 500, steps: int = 10, seed: int = 0) -> dict[str, float]:
    """Median seconds per round for each part (wall clock; ``total_cpu``: process CPU
    time), the slowest round (``max_total``) and the one-off layout time."""
    params = page.model_params(page.BaseSetup(page.ModelConfig(), seed=seed))
    params["n_agents"] = {**params["n_agents"], "value": n_agents}
    model = page.make_model(params)
    t0 = time.perf_counter()
    drawing.layout_for(model)
    layout_time = time.perf_counter() - t0
    times: dict[str, list[float]] = {"step": [], "network": [], "plots": [], "summary": [],
                                     "total": [], "total_cpu": []}
    for _ in range(steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        page.figure_png(drawing.network_figure(model))
        t2 = time.perf_counter()
        page.figure_png(drawing.strategy_plots_figure(model))
        t3 = time.perf_counter()
        drawing.summary_html(model)
        t4 = time.perf_counter()
        c4 = time.process_time()
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, c4 - c0),
                              strict=True):
            times[key].append(value)
    out = {key: statistics.median(values) for key, values in times.items()}
    out["max_total"] = max(times["total"])
    out["layout"] = layout_time
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simnet.viz.bench", description=__doc__)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args(argv)
    result = benchmark(args.agents, args.steps)
    print(f"{args.agents} agents, median of {args.steps} steps (seconds):")
    for key in ("step", "network", "plots", "summary", "total", "total_cpu", "max_total",
                "layout"):
        print(f"  {key:10s} {result[key]:.3f}")


if __name__ == "__main__":
    main()
