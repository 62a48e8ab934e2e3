"""A worked analysis: from a finished sweep to the README figure and a paired-differences
table, in plain pandas plus two simnet helpers.

Run the sweep first (a few minutes; ``--quick`` takes seconds), then this script::

    simnet run experiments/open_vs_selective.toml --no-plots
    python examples/open_vs_selective_analysis.py results/open_vs_selective \\
        --out docs/figures/open_vs_selective.png

It prints, for every point of the sweep, how many more opportunities open networkers won
than selective ones in the same run, and how much more harm they suffered (mean and 95%
confidence interval across replications), and draws the README's key figure: outcomes per
strategy over the share of open networkers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from simnet import stats
from simnet.plots import plot_outcomes
from simnet.plots.io import experiment_name
from simnet.plots.style import save_figure
from simnet.results import load_results


def open_minus_selective(groups: pd.DataFrame, params: list[str],
                         metrics: tuple[str, ...] = ("opps_total", "bad_suffered")
                         ) -> pd.DataFrame:
    """Open minus selective, paired within each run, at each run's last step: one row per
    sweep point and metric with the mean difference per agent, its 95% CI and the number
    of runs."""
    final = stats.last_step(groups[groups["group_by"] == "strategy"])
    rows = []
    for metric in metrics:
        diff = stats.paired_differences(final, metric, "group", "open", "selective", params)
        for key, part in diff.groupby(params, sort=True):
            key = key if isinstance(key, tuple) else (key,)
            mean, lo, hi, n = stats.mean_ci(part["diff"])
            rows.append({**dict(zip(params, key, strict=True)), "metric": metric,
                         "open - selective": mean, "ci_low": lo, "ci_high": hi, "runs": n})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results_dir", type=Path, nargs="?",
                        default=Path("results/open_vs_selective"))
    parser.add_argument("--out", type=Path, default=Path("open_vs_selective.png"),
                        help="where to write the figure (.png or .pdf)")
    args = parser.parse_args(argv)

    # 1. Load every run's tables; the swept parameters are columns of every table.
    results = load_results(args.results_dir, tables=("groups",))
    params = [p for p in results.params if results.groups[p].nunique() > 1]
    print(f"{len(results.runs)} runs; swept: {', '.join(params) or 'nothing'}")

    # 2. The answer as numbers: paired differences with 95% CIs across replications.
    table = open_minus_selective(results.groups, params)
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print(table.to_string(index=False))

    # 3. The README figure: outcomes per strategy over the share of open networkers
    #    (what `python -m simnet.plots ... --kind outcomes --x open_share` draws).
    groups = results.groups
    groups.attrs["params"] = list(results.params)  # lets the caption say what is averaged
    fig = plot_outcomes(groups, ["opps_total", "bad_suffered"], x="open_share",
                        experiment=experiment_name(results.manifest, args.results_dir.name))
    stem = args.out.with_suffix("")
    written = save_figure(fig, stem, formats=(args.out.suffix.lstrip(".") or "png",),
                          dpi=200)
    print(f"wrote {', '.join(map(str, written))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
