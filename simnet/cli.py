"""The ``simnet`` command."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from simnet.config import ConfigError
from simnet.experiment import load_experiment


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simnet", description="Simulate how reputation "
                                     "spreads through professional networks.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run an experiment file and write its results")
    run.add_argument("file", help="experiment TOML file, e.g. experiments/open_vs_selective.toml")
    run.add_argument("--out", default="results", help="results folder (default: results)")
    run.add_argument("--steps", type=int, default=None, help="override the number of steps")
    run.add_argument("--seed", type=int, default=None, help="override the experiment's seed")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    check = sub.add_parser("check", help="validate an experiment file without running it")
    check.add_argument("file")
    return parser


def cmd_run(args) -> int:
    import pandas as pd

    from simnet.results import git_commit, package_versions, write_run
    from simnet.runner import conduct_summary, run_model, strategy_summary

    exp = load_experiment(args.file)
    if args.steps is not None:
        if args.steps < 1:
            raise ConfigError(f"--steps = {args.steps}: expected at least 1")
        exp = replace(exp, steps=args.steps)
    if args.seed is not None:
        if args.seed < 0:
            raise ConfigError(f"--seed = {args.seed}: expected a whole number >= 0")
        exp = replace(exp, seed=args.seed)
    out_dir = Path(args.out) / exp.name
    started = time.time()
    with tqdm(total=exp.steps, desc=exp.name, unit="step", disable=args.quiet,
              file=sys.stderr) as bar:
        output = run_model(exp, progress=bar.update)
    manifest = {
        "experiment": exp.to_dict(),
        "source": exp.source,
        "seed": exp.seed,
        "steps": exp.steps,
        "n_agents": output.extra["n_agents"],
        "versions": package_versions(),
        "git_commit": git_commit(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "wall_seconds": round(output.seconds, 3),
    }
    write_run(out_dir, output.tables, manifest)
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.float_format", "{:.3f}".format):
        print(f"{exp.name}: {output.extra['n_agents']} agents, {exp.steps} steps, seed "
              f"{exp.seed}, {output.seconds:.1f} s")
        print("\nPer strategy at the end (means per agent):")
        print(strategy_summary(output.tables).to_string())
        print("\nBy conduct:")
        print(conduct_summary(output.tables).to_string())
    print(f"\nwrote {out_dir}/ (steps, model, agents, opportunities .parquet; manifest.json)")
    return 0


def cmd_check(args) -> int:
    exp = load_experiment(args.file)
    print(f"{args.file}: ok ({exp.name}: {exp.model.population.n_agents} agents, "
          f"{exp.steps} steps, seed {exp.seed})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the exit status (0 ok, 2 bad input)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        return cmd_check(args)
    except ConfigError as err:
        print(f"simnet: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("simnet: interrupted; finished results are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
