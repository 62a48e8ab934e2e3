"""The ``simnet`` command.

``simnet run FILE``    run an experiment (every arm, sweep point and replication), resume
                       if it was interrupted, print the summary and draw the figures
``simnet check FILE``  validate an experiment; print its runs and a cost estimate
``simnet list``        the shipped experiments and the strategies
``simnet plot DIR``    draw the figures of a results folder
``simnet viz [FILE]``  the interactive visualisation in the browser
``simnet params``      every model parameter: section, default, range, meaning
``simnet metrics``     every metric: meaning, unit, kind, whether higher is better
``simnet describe FILE``  the experiment's model as an ODD description (Markdown)
``simnet validate bitcoin_otc``  word of mouth predicting real ratings, beside the
                       literature's methods (table, figure, fitted parameters)
``simnet --version``   the installed version

Bad input gets one line on stderr (``simnet: error: ...``) and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from simnet.config import ConfigError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simnet", description="Simulate how reputation "
                                     "spreads through professional networks.")
    parser.add_argument("--version", action="version", version=f"simnet {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run an experiment file and write its results",
                         description="Run every arm, sweep point and replication of an "
                         "experiment; finished runs are kept and skipped when run again.")
    run.add_argument("file", help="experiment TOML file, e.g. experiments/open_vs_selective.toml")
    run.add_argument("--workers", type=int, default=None, metavar="N",
                     help="runs at a time on this machine (default: every core; 1: all in "
                          "this process)")
    run.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help="run on a Dask cluster: a scheduler address (tcp://host:8786), "
                          "or 'local' for a local Dask cluster of --workers processes")
    run.add_argument("--quick", action="store_true",
                     help="the experiment's quick size (seconds; for CI); results go to "
                          "OUT/<name>_quick")
    run.add_argument("--out", default="results", metavar="DIR",
                     help="results folder; the experiment writes to DIR/<name> "
                          "(default: results)")
    run.add_argument("--restart", action="store_true",
                     help="discard the results already in the output folder and start over")
    run.add_argument("--no-plots", action="store_true", help="do not draw the figures")
    run.add_argument("--steps", type=int, default=None, help="override the number of steps")
    run.add_argument("--seed", type=int, default=None, help="override the root seed")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--ignore-memory", action="store_true",
                     help="run even if the runs' estimated memory exceeds this machine's")
    check = sub.add_parser("check", help="validate an experiment file; print its runs and "
                           "a cost estimate")
    check.add_argument("file")
    check.add_argument("--quick", action="store_true", help="check the quick size")
    check.add_argument("--workers", type=int, default=None, metavar="N",
                       help="cores the estimate divides the work among (default: all)")
    check.add_argument("--ignore-memory", action="store_true",
                       help="do not refuse runs whose estimated memory exceeds this machine's")
    check.add_argument("--no-probe", action="store_true",
                       help="estimate the cost without timing a small run here first (a "
                            "fixed cost model: rougher)")
    sub.add_parser("list", help="list the shipped experiments and the strategies")
    plot = sub.add_parser("plot", help="draw the figures of a results folder")
    plot.add_argument("dir", help="a results folder, e.g. results/open_vs_selective")
    plot.add_argument("--style", choices=("default", "paper"), default="default",
                      help="paper: no caption on the figures; each caption's text is written "
                           "beside its figure (NAME.caption.txt)")
    viz = sub.add_parser("viz", help="the interactive visualisation (needs the viz extra)")
    viz.add_argument("file", nargs="?", default=None, help="experiment file to start from")
    viz.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any)")
    viz.add_argument("--host", default="127.0.0.1", help="address to listen on")
    _add_reference_commands(sub)
    _add_validate_command(sub)
    return parser


def _add_validate_command(sub) -> None:
    validate = sub.add_parser(
        "validate", help="check word of mouth against real ratings (bitcoin_otc)",
        description="Hold out real ratings, predict them by word of mouth and by the "
        "literature's methods, fit the word-of-mouth parameters; print and write the table "
        "and the figure.")
    validate.add_argument("dataset", help="data set: bitcoin_otc")
    validate.add_argument("--quick", action="store_true",
                          help="CI size: half the ratings, 2 random splits, a small grid")
    validate.add_argument("--out", default="results", metavar="DIR",
                          help="writes DIR/validate_<dataset>[_quick] (default: results)")
    validate.add_argument("--seed", type=int, default=0, help="root seed of the splits")
    validate.add_argument("--splits", type=int, default=None, metavar="N",
                          help="random splits (default 3; 2 with --quick)")


def cmd_validate(args) -> int:
    import time

    from simnet.validation.run import run_validation

    if args.seed < 0:
        raise ConfigError(f"--seed = {args.seed}: expected a whole number >= 0")
    if args.splits is not None and args.splits < 2:
        raise ConfigError(f"--splits = {args.splits}: expected at least 2")
    start = time.perf_counter()
    result = run_validation(args.dataset, args.out, quick=args.quick, seed=args.seed,
                            splits=args.splits,
                            log=lambda text: print(text, file=sys.stderr, flush=True))
    print(result["text"])
    best = result["fitted"]["consensus_random"]
    print("\nfitted word of mouth (best mean validation AUC across the random splits, "
          f"{best['auc']:.3f}): " + ", ".join(f"{k} = {v:g}" for k, v in best.items()
                                              if k != "auc"))
    print(f"\nwrote {result['path']}/ (table.csv, scores.csv, calibration.csv, fitted.json, "
          f"figure.png, figure.pdf) in {time.perf_counter() - start:.0f} s")
    return 0


# ------------------------------------------------------------- params / metrics / describe

def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("simnet")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown (not installed)"


def _add_reference_commands(sub) -> None:
    """The subcommands that print reference text for a paper's methods section."""
    params = sub.add_parser("params", help="list every model parameter: section, default, "
                            "allowed range and meaning")
    params.add_argument("--format", choices=("text", "markdown"), default="text")
    params.add_argument("--experiment", metavar="FILE", default=None,
                        help="also show the values this experiment file sets")
    metrics = sub.add_parser("metrics", help="list every metric: meaning, unit, kind "
                             "(cumulative or per step) and whether higher is better")
    metrics.add_argument("--format", choices=("text", "markdown"), default="text")
    describe = sub.add_parser("describe", help="write an experiment's model as an ODD "
                              "description (Markdown) for a methods section or supplement")
    describe.add_argument("file", help="experiment TOML file")
    describe.add_argument("--out", default=None, metavar="FILE",
                          help="write to FILE instead of standard output")


def cmd_params(args) -> int:
    from simnet.describe import params_markdown, params_text

    config = None
    if args.experiment:
        from simnet.experiment import load_experiment

        config = load_experiment(args.experiment).model
    print(params_markdown(config) if args.format == "markdown" else params_text(config))
    return 0


def cmd_metrics(args) -> int:
    from simnet.metric_registry import markdown, text_table

    print(markdown() if args.format == "markdown" else text_table(), end="\n"
          if args.format == "text" else "")
    return 0


def cmd_describe(args) -> int:
    from simnet.describe import odd_markdown
    from simnet.experiment import load_experiment

    text = odd_markdown(load_experiment(args.file))
    if args.out is None:
        print(text, end="")
        return 0
    from simnet.results import atomic_write

    atomic_write(Path(args.out), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    print(f"wrote {args.out}")
    return 0


# --------------------------------------------------------------------------- run

def _load(args):
    from simnet.experiment import load_experiment

    exp = load_experiment(args.file, quick=getattr(args, "quick", False))
    if getattr(args, "steps", None) is not None:
        if args.steps < 1:
            raise ConfigError(f"--steps = {args.steps}: expected at least 1")
        exp = replace(exp, steps=args.steps)
    if getattr(args, "seed", None) is not None:
        if args.seed < 0:
            raise ConfigError(f"--seed = {args.seed}: expected a whole number >= 0")
        exp = replace(exp, seed=args.seed)
    return exp


def cmd_run(args) -> int:
    from simnet.results import load_results, write_csv
    from simnet.runner import summary_tables, summary_text
    from simnet.sweep import run_experiment

    exp = _load(args)
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers = {args.workers}: expected at least 1")
    scheduler = args.scheduler
    if scheduler is not None and not scheduler.strip():
        raise ConfigError("--scheduler: expected an address (tcp://host:8786) or 'local'")
    report = run_experiment(exp, args.out, workers=args.workers, scheduler=scheduler,
                            restart=args.restart, progress=not args.quiet,
                            memory_check=not args.ignore_memory)
    for note in report.notes:
        print(f"simnet: note: {note}", file=sys.stderr)
    results = load_results(report.path, tables=("groups", "model", "agents", "opportunities",
                                                "news", "tie_exposure"))
    if report.done == 0 and report.skipped:
        status = f"all {report.planned} runs already finished"
    else:
        status = (f"{report.done} runs done ({report.executor}), {report.skipped} already "
                  f"finished")
    sizes = results.runs["n_agents"] if "n_agents" in results.runs else []
    agents = f"{int(min(sizes))}" if len(sizes) and min(sizes) == max(sizes) else \
        (f"{int(min(sizes))}-{int(max(sizes))}" if len(sizes) else "?")
    print(f"{exp.name}{' (quick)' if exp.quick else ''}: {report.planned} runs "
          f"({len(exp.arm_names)} arm(s) x {exp.sweep.n_points()} point(s) x "
          f"{exp.replications} replication(s)), {agents} agents, {exp.steps} steps, root "
          f"seed {exp.seed}; {status}; {report.wall_seconds:.1f} s")
    tables = summary_tables(results)
    print()
    print(summary_text(results, tables))
    for name, table in tables.items():
        if table is not None and not table.empty:
            write_csv(table, report.path / f"summary_{name}.csv")
    print(f"\nwrote {report.path}/ (tables/<table>/run_id=<run_id>/part-0.parquet, "
          f"manifest.json, summary_*.csv)")
    if results.missing:
        print(f"simnet: {len(results.missing)} runs are missing; run the same command again "
              f"to finish them", file=sys.stderr)
        return 1
    if args.no_plots:
        return 0
    if "groups" not in exp.output.tables:  # every figure but the news reach needs it
        print("(figures skipped: output.tables does not keep the 'groups' table)")
        return 0
    return _plot(report.path, list(exp.plots) or None)


def _plot(results_dir: Path, figures: list[dict] | None, style: str = "default") -> int:
    try:
        import simnet.plots as plots

        plot_results_dir = plots.plot_results_dir
    except (ImportError, AttributeError) as err:
        print(f"(figures skipped: the plotting module is not available: {err})")
        return 0
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            paths = plot_results_dir(Path(results_dir), figures, style=style)
        except (ValueError, OSError) as err:  # PlotError is a ValueError
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            print(f"simnet: error: figures: {first}", file=sys.stderr)
            return 1
    for w in caught:
        if issubclass(w.category, UserWarning):
            print(f"simnet: note: figure {w.message}", file=sys.stderr)
    shown = sorted({p.parent for p in paths})
    print(f"drew {len(paths)} figure files in {', '.join(map(str, shown)) or '-'}")
    return 0


# --------------------------------------------------------------------------- check / list

def _duration(seconds: float) -> str:
    if seconds < 9.5:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _free_cores(cores: int) -> float:
    """Cores not busy with other work, from the 1-minute load average (at least one);
    ``cores`` where the load average is unknown."""
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):  # pragma: no cover - not POSIX
        return float(cores)
    return min(float(cores), max(1.0, cores - load))


def cmd_check(args) -> int:
    from simnet.sweep import (
        WORKER_START_SECONDS,
        check_memory,
        default_workers,
        estimate_memory,
        estimate_seconds,
        kernels_cached,
        make_tasks,
        plan_runs,
        preflight,
        probe,
    )

    exp = _load(args)
    plan = plan_runs(exp)
    workers = args.workers or default_workers()
    # The checks `simnet run` makes before writing anything, so that check's "ok" holds.
    tasks = make_tasks(exp, plan)
    preflight(tasks)
    if not args.ignore_memory:
        check_memory(tasks, min(workers, len(tasks)))
    cold = kernels_cached() is False
    measured = None if args.no_probe else probe(exp)
    total = estimate_seconds(exp, plan, measured)
    at_once = min(workers, len(plan))
    # Runs share the cores with whatever else this machine is doing.
    parallel = min(at_once, _free_cores(default_workers())) if measured else at_once
    wall = total / parallel + (WORKER_START_SECONDS if at_once > 1 else 0)
    n = exp.model.population.n_agents
    size = exp.model.network.path if exp.model.network.kind == "file" else f"{n} agents"
    swept = ", ".join(exp.varied) or "nothing"
    print(f"{args.file}: ok ({exp.name}{' quick size' if exp.quick else ''}: {size}, "
          f"{exp.steps} steps, seed {exp.seed})")
    print(f"  {len(plan)} runs = {len(exp.arm_names)} arm(s) [{', '.join(exp.arm_names)}] "
          f"x {exp.sweep.n_points()} point(s) ({exp.sweep.design}; varies {swept}) x "
          f"{exp.replications} replication(s)")
    if measured:
        how = (f"scaled from a {measured.agents}-agent run timed here just now (load average "
               f"{_load_average()}, about {parallel:.1f} of {default_workers()} cores free)")
    else:
        how = "from a fixed cost model, not measured here (rough)"
    print(f"  estimated cost: {_duration(total)} of computing, about {_duration(wall)} on "
          f"{at_once} core(s); {how}")
    if cold and measured:
        print(f"  (the kernels were compiled for this machine by the probe, "
              f"{measured.wall_seconds:.0f} s, once: runs load them from Numba's cache)")
    elif cold:
        print("  plus 15 to 30 s compiling the kernels on the first run on this machine "
              "(once; cached for later runs)")
    memory = max(estimate_memory(t.model) for t in tasks) / (1 << 30)
    print(f"  estimated memory: {memory:.1f} GB per run (rough)")
    if not exp.quick:
        quick = exp.with_quick()
        q_total = estimate_seconds(quick, None, measured)
        q_at_once = min(workers, quick.n_runs())
        q_parallel = min(q_at_once, _free_cores(default_workers())) if measured else q_at_once
        print(f"  quick size (--quick): {quick.n_runs()} runs, about "
              f"{_duration(q_total / q_parallel)}")
    return 0


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (OSError, AttributeError):  # pragma: no cover - not POSIX
        return "?"


def _experiments_dir() -> Path | None:
    for candidate in (Path.cwd() / "experiments",
                      Path(__file__).resolve().parent.parent / "experiments"):
        if candidate.is_dir():
            return candidate
    return None


def cmd_list(args) -> int:
    from simnet.experiment import load_experiment
    from simnet.strategies import REGISTRY

    folder = _experiments_dir()
    if folder is None:
        print("shipped experiments: none found (no experiments/ folder here)")
    else:
        print(f"shipped experiments ({folder}):")
        for path in sorted(folder.glob("*.toml")):
            try:
                exp = load_experiment(path)
                what = (f"{exp.n_runs()} runs; "
                        f"{exp.description or '(no description)'}")
            except ConfigError as err:
                what = f"INVALID: {err}"
            print(f"  {path.stem:24s} {what}")
    print("\nstrategies (presets; define your own under [strategies.NAME] in an experiment):")
    for name, cls in REGISTRY.items():
        print(f"  {name:24s} {_first_sentence(getattr(cls, '__doc__', None) or '')}")
    return 0


def _first_sentence(doc: str, width: int = 100) -> str:
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    end = paragraph.find(". ")
    text = paragraph if end < 0 else paragraph[:end + 1]
    return text if len(text) <= width else text[:width - 3].rsplit(" ", 1)[0] + "..."


def cmd_plot(args) -> int:
    from simnet.results import read_manifest, refuse_links

    read_manifest(Path(args.dir))  # one-line error if it is not a results folder
    refuse_links(Path(args.dir))  # figures/ must not lead outside the folder
    return _plot(Path(args.dir), None, args.style)


def cmd_viz(args) -> int:
    try:
        from simnet.viz import serve
    except ImportError as err:
        print(f"simnet: error: the visualisation needs the viz extra ({err}); install it "
              f"with: pip install -e '.[viz]'", file=sys.stderr)
        return 2
    if args.file is not None and not Path(args.file).is_file():
        raise ConfigError(f"{args.file}: no such file")
    if not _is_loopback(args.host):
        print(f"simnet: warning: --host {args.host}: the visualisation will be open to the "
              f"network, without any authentication; anyone who can reach this machine can "
              f"use it", file=sys.stderr)
    try:
        serve(args.file, port=args.port, host=args.host)
    except OSError as err:
        raise ConfigError(f"cannot serve on {args.host}:{args.port}: {err.strerror or err}"
                          ) from None
    return 0


def _is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds like Ctrl+C: the runs being
    written are finished or removed, the lock released, the store left consistent."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


def _interrupt_inside(err: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl+C or SIGTERM behind ``err``, if any: a signal that arrives while a compiled
    kernel returns surfaces as a SystemError whose cause is the interrupt."""
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, KeyboardInterrupt):
            return err
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return None


COMMANDS = {"run": cmd_run, "check": cmd_check, "list": cmd_list, "plot": cmd_plot,
            "viz": cmd_viz, "params": cmd_params, "metrics": cmd_metrics,
            "describe": cmd_describe, "validate": cmd_validate}


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the exit status (0 ok, 1 failed, 2 bad input, 130 interrupted)."""
    import signal
    import threading

    args = _parser().parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as err:
        print(f"simnet: error: {str(err).splitlines()[0] if str(err) else err}",
              file=sys.stderr)
        return 2
    except BrokenPipeError:  # the output was piped into a command that stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Terminated:
        print("\nsimnet: terminated (SIGTERM); finished runs are kept (run the same command "
              "again to resume)", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("\nsimnet: interrupted; finished runs are kept (run the same command again to "
              "resume)", file=sys.stderr)
        return 130
    except Exception as err:
        interrupt = _interrupt_inside(err)
        if isinstance(interrupt, Terminated):
            print("\nsimnet: terminated (SIGTERM); finished runs are kept (run the same "
                  "command again to resume)", file=sys.stderr)
            return 143
        if interrupt is not None:
            print("\nsimnet: interrupted; finished runs are kept (run the same command again "
                  "to resume)", file=sys.stderr)
            return 130
        if os.environ.get("SIMNET_TRACEBACK"):
            raise
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        print(f"simnet: error: {type(err).__name__}: {first} (finished runs are kept; set "
              f"SIMNET_TRACEBACK=1 to see the traceback)", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
