"""``python -m simnet.viz [EXPERIMENT_FILE] [--port N] [--host H]``: serve the page."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simnet.viz",
        description="Watch a simnet model run in the browser (Mesa's SolaraViz), offline.")
    parser.add_argument("experiment", nargs="?", default=None,
                        help="experiment TOML file to start from (default: simnet defaults)")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    args = parser.parse_args(argv)

    from simnet.config import ConfigError
    from simnet.viz import serve

    try:
        serve(args.experiment, port=args.port, host=args.host)
    except ConfigError as err:
        print(f"simnet viz: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"simnet viz: error: cannot serve on {args.host}:{args.port}: "
              f"{err.strerror or err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
