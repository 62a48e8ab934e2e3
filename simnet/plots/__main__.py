"""``python -m simnet.plots RESULTS_DIR``: draw a results folder's figures, or one figure.

Without ``--kind`` it draws every figure the experiment names into RESULTS_DIR/figures/
(as ``simnet plot`` does). With ``--kind`` it draws that one figure and writes it to
``--out`` (say, the README's key figure)::

    python -m simnet.plots results/open_vs_selective --kind outcomes \\
        --metric opps_total bad_suffered --x open_share --dpi 200 \\
        --out docs/figures/open_vs_selective.png
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from simnet.plots.spec import FIGURE_KINDS, PlotError

    parser = argparse.ArgumentParser(prog="python -m simnet.plots", description=__doc__
                                     .split("\n")[0])
    parser.add_argument("results_dir", type=Path)
    parser.add_argument("--kind", choices=FIGURE_KINDS, help="draw only this figure")
    parser.add_argument("--metric", nargs="+", help="metric(s) to draw")
    parser.add_argument("--x", help="x axis: a swept parameter, 'step' or 'arm'")
    parser.add_argument("--y", help="heatmap rows; weak_ties: per_tie, count, share, good, "
                        "rate or new_share")
    parser.add_argument("--group-by", choices=("strategy", "conduct_type"))
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="plot A minus B")
    parser.add_argument("--between", choices=("group", "arm"))
    parser.add_argument("--width", help="'single' (3.5 in), 'double' (7.2 in) or inches")
    parser.add_argument("--title")
    parser.add_argument("--out", type=Path, help="output file (.png, .pdf or .svg)")
    parser.add_argument("--dpi", type=int, default=None, help="PNG resolution (default 300)")
    parser.add_argument("--style", choices=("default", "paper"), default="default",
                        help="paper: no caption on the figures; the caption text is written "
                             "beside each (STEM.caption.txt)")
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if args.kind is None:
                from simnet.plots.io import plot_results_dir

                paths = plot_results_dir(args.results_dir, style=args.style)
                print(f"drew {len(paths)} figure files in {args.results_dir / 'figures'}")
            else:
                from simnet.plots.io import export_figure

                spec = {"kind": args.kind}
                if args.metric:
                    spec["metric"] = args.metric[0] if len(args.metric) == 1 else args.metric
                for key in ("x", "y", "group_by", "between", "title"):
                    if getattr(args, key):
                        spec[key] = getattr(args, key)
                if args.compare:
                    spec["compare"] = list(args.compare)
                if args.width:
                    spec["width"] = (args.width if args.width in ("single", "double")
                                     else float(args.width))
                out = args.out or args.results_dir / "figures" / f"{args.kind}.png"
                print(f"wrote {export_figure(args.results_dir, spec, out, args.dpi)}")
        for w in caught:
            if issubclass(w.category, UserWarning):
                print(f"note: figure {w.message}", file=sys.stderr)
    except (PlotError, ValueError) as err:
        print(f"simnet.plots: error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
