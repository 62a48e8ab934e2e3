"""Checks shared by every section of an experiment file: one-line
:class:`~simnet.config.ConfigError` messages that name the field, and
:func:`apply_overrides`, which applies model-parameter overrides (an arm's, a sweep
point's, the quick size's) to a base :class:`~simnet.config.ModelConfig` and validates
the result.
"""

from __future__ import annotations

import copy
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from simnet.config import (
    FIELD_SECTION,
    PRESET_NAMES,
    SECTIONS,
    ConfigError,
    ModelConfig,
    StrategyParams,
    _did_you_mean,
    model_config_from_dict,
)
from simnet.experiment.schema import (
    _PLAIN_NAME,
)


def _err(message: str) -> ConfigError:
    return ConfigError(message)

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)

def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

def _check_keys(where: str, table: dict, allowed) -> None:
    for key in table:
        if key not in allowed:
            raise _err(f"unknown key '{key}' in [{where}]{_did_you_mean(key, allowed)}; "
                       f"allowed: {', '.join(allowed)}")

def _table(data: dict, key: str, where: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _err(f"[{where}] must be a table, got {type(value).__name__} {value!r}")
    return value

def _whole(where: str, value: Any, lo: int, hi: int) -> int:
    if not _is_int(value):
        raise _err(f"{where} = {value!r}: expected a whole number in [{lo}, {hi}]")
    if not lo <= value <= hi:
        raise _err(f"{where} = {value!r} is out of range: allowed [{lo}, {hi}]")
    return value

def _plain_name(where: str, value: Any) -> str:
    if not isinstance(value, str) or not _PLAIN_NAME.match(value):
        raise _err(f"{where} = {value!r}: expected a plain name (letters, digits, '_', '-', "
                   f"'.'; no spaces or slashes)")
    return value

def _field_type(name: str) -> str:
    """The type (as text: "float", "int", "bool" ...) of a model parameter, or of a
    strategy's policy parameter named ``STRATEGY.PARAMETER``."""
    section = StrategyParams if "." in name else SECTIONS[FIELD_SECTION[name]]
    name = name.split(".", 1)[1] if "." in name else name
    for f in fields(section):
        if f.name == name:
            return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    return ""  # pragma: no cover

def _resolve_path(cfg: ModelConfig, base_dir: str | None) -> ModelConfig:
    """Edge-list paths: relative to the working folder, else to the experiment file's."""
    path = cfg.network.path
    if cfg.network.kind != "file" or not path or base_dir is None:
        return cfg
    p = Path(path)
    if p.is_absolute() or p.is_file():
        return cfg
    candidate = Path(base_dir) / p
    if candidate.is_file():
        return replace(cfg, network=replace(cfg.network, path=str(candidate)))
    return cfg

def _check_network(cfg: ModelConfig, where: str = "") -> None:
    """An edge-list file must exist (or be a built-in name) before anything runs."""
    if cfg.network.kind != "file" or not cfg.network.path:
        return
    from simnet.network import NetworkFileError, resolve_network_file

    try:
        resolve_network_file(cfg.network.path)
    except NetworkFileError as err:
        prefix = f"{where}: " if where else ""
        raise _err(f"{prefix}network.path: {err}") from None

def apply_overrides(base: ModelConfig, overrides: dict, where: str,
                    base_dir: str | None = None) -> ModelConfig:
    """``base`` with plain-named model parameters replaced, and custom strategies (the
    ``strategies`` key: name -> table) changed or added; validated.

    Values are given as in a TOML file (a list of tables for ``conduct_types``); any
    problem raises ConfigError prefixed with ``where``. ``STRATEGY.PARAMETER`` names a
    policy parameter of a custom strategy of ``base``.
    """
    data = copy.deepcopy(base.to_dict())
    for key, value in overrides.items():
        if "." in key:
            strategy, param = _strategy_param(key, base, where)
            data["strategies"][strategy][param] = value
            continue
        if key == "strategies":
            if not isinstance(value, dict):
                raise _err(f"{where}.strategies: expected a table of named strategies")
            for name, table in value.items():
                if not isinstance(table, dict):
                    raise _err(f"{where}.strategies.{name}: expected a table of policy "
                               f"parameters")
                existing = data["strategies"].get(name)
                if existing is not None and "base" not in table:
                    data["strategies"][name] = {**existing, **table}
                else:
                    data["strategies"][name] = dict(table)
            continue
        section = FIELD_SECTION.get(key)
        if section is None:
            hint = _did_you_mean(key, [*FIELD_SECTION, "strategies"])
            raise _err(f"{where}: unknown model parameter '{key}'{hint}")
        data.setdefault(section, {})[key] = value
    try:
        cfg = model_config_from_dict(data)
    except ConfigError as err:
        raise _err(f"{where}: {err}") from None
    except (TypeError, ValueError) as err:
        raise _err(f"{where}: {err}") from None
    cfg = _resolve_path(cfg, base_dir)
    if overrides:
        _check_network(cfg, where)
    return cfg

def _strategy_param(name: str, base: ModelConfig, where: str) -> tuple[str, str]:
    """(strategy, parameter) of a ``STRATEGY.PARAMETER`` name; ConfigError unless the
    strategy is a custom strategy of ``base`` and the parameter one of its policy's."""
    strategy, _, param = name.partition(".")
    customs = [s.name for s in base.strategies]
    if strategy in PRESET_NAMES:
        raise _err(f"{where}: {name}: the preset '{strategy}' cannot be changed; define "
                   f"[strategies.NAME] with base = '{strategy}', use NAME in "
                   f"population.strategy_mix, and vary NAME.{param}")
    if strategy not in customs:
        raise _err(f"{where}: {name}: no custom strategy '{strategy}'; define "
                   f"[strategies.{strategy}]{_did_you_mean(strategy, customs)}")
    allowed = [f.name for f in fields(StrategyParams) if f.name != "name"]
    if param not in allowed:
        raise _err(f"{where}: {name}: '{param}' is not a policy parameter"
                   f"{_did_you_mean(param, allowed)}; allowed: {', '.join(allowed)}")
    return strategy, param

def _cast(name: str, value: float) -> Any:
    """A sampled value in its field's type (whole numbers rounded, a switch on from 0.5)."""
    kind = _field_type(name)
    if kind.startswith("int"):
        return round(value)
    if kind.startswith("bool"):
        return bool(value >= 0.5)
    return float(value)
