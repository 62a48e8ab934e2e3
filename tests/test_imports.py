"""Fast start: `import simnet` and `simnet --help` load no heavy library (behaviour, not
timing: the check is which modules end up in sys.modules)."""

import subprocess
import sys

import pytest

HEAVY = ("mesa", "scipy", "pandas", "matplotlib", "seaborn", "numba", "networkx")

PROBE = """
import sys
{code}
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("LOADED:" + ",".join(heavy))
"""


def loaded_after(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(code=code, heavy=HEAVY)],
                         capture_output=True, text=True, timeout=120, check=True)
    marker = [line for line in out.stdout.splitlines() if line.startswith("LOADED:")]
    assert len(marker) == 1, out.stdout
    return [m for m in marker[0].removeprefix("LOADED:").split(",") if m]


def test_import_simnet_loads_no_heavy_library():
    assert loaded_after("import simnet") == []


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["--version"]])
def test_simnet_help_loads_no_heavy_library(argv):
    code = f"""
from simnet.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
"""
    assert loaded_after(code) == []


def test_simnet_list_loads_no_mesa_scipy_pandas_or_plotting():
    code = """
from simnet.cli import main
main(["list"])
"""
    loaded = loaded_after(code)
    assert not set(loaded) & {"mesa", "scipy", "pandas", "matplotlib", "seaborn"}, loaded


def test_public_api_still_importable():
    import simnet
    from simnet import (  # noqa: F401
        ConfigError,
        ExperimentConfig,
        Layout,
        ModelConfig,
        Professional,
        ReputationModel,
        load_experiment,
    )

    assert set(simnet.__all__) <= set(dir(simnet))
    with pytest.raises(AttributeError):
        simnet.no_such_name  # noqa: B018
