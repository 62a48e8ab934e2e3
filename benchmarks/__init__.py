"""Benchmarks (not timed tests): ``python -m benchmarks.kernel [--quick]``."""


def parse_value(text: str):
    """A ``--set`` value: int, float, true / false, or the text itself."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def parse_overrides(items: list[str]) -> dict:
    """Model parameters from ``--set NAME=VALUE ...`` arguments."""
    return {name: parse_value(value) for name, value in (item.split("=", 1) for item in items)}
