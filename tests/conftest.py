"""Fixtures shared by the whole suite.

Designs, one object per session (pewlike Survey objects are immutable):

* ``demo``: ``pw.demo()``, the bundled synthetic survey;
* ``strat``: R's ``apistrat``, stratified by ``stype`` with fpc (R's ``dstrat``);
* ``clus1``: R's ``apiclus1``, one-stage cluster sample of districts with fpc (R's ``dclus1``);
* ``clus2``: R's ``apiclus2``, two-stage: districts, then schools, with fpcs (R's ``dclus2``);
* ``nhanes_design``: R's ``nhanes``, stratified cluster sample with nested PSUs.

Data frames, a fresh copy for every test (which may change it): ``apistrat``, ``apiclus1``,
``apiclus2``, ``nhanes``. They are R's data as ``tests/reference/estimation/make_reference.R``
wrote them, read with ``pd.read_csv`` defaults; the designs above are built on them, with the
arguments of R's designs in the reference fixtures.

Scripts: ``generator`` is ``scripts/make_demo_data.py`` (the demo data's generator) and
``demo_sav`` is ``scripts/demo_sav.py``, loaded by file path; nothing is added to the import path.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

import pewlike as pw

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
ESTIMATION = ROOT / "tests" / "reference" / "estimation"


# ------------------------------------------------------------------------------------- R's data
@functools.cache
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(ESTIMATION / name)


@pytest.fixture
def apistrat() -> pd.DataFrame:
    return _read("apistrat.csv").copy()


@pytest.fixture
def apiclus1() -> pd.DataFrame:
    return _read("apiclus1.csv").copy()


@pytest.fixture
def apiclus2() -> pd.DataFrame:
    return _read("apiclus2.csv").copy()


@pytest.fixture
def nhanes() -> pd.DataFrame:
    return _read("nhanes.csv").copy()


# -------------------------------------------------------------------------------------- designs
@pytest.fixture(scope="session")
def demo() -> pw.Survey:
    return pw.demo()


@pytest.fixture(scope="session")
def strat() -> pw.Survey:
    return pw.Survey(_read("apistrat.csv").copy(), weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="session")
def clus1() -> pw.Survey:
    return pw.Survey(_read("apiclus1.csv").copy(), weights="pw", psu="dnum", fpc="fpc")


@pytest.fixture(scope="session")
def clus2() -> pw.Survey:
    return pw.Survey(_read("apiclus2.csv").copy(), weights="pw", psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])


@pytest.fixture(scope="session")
def nhanes_design() -> pw.Survey:
    return pw.Survey(_read("nhanes.csv").copy(), weights="WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU", nest=True)


# -------------------------------------------------------------------------------------- scripts
def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as module ``name``, loaded from its file path.

    As an import would, the module is registered in ``sys.modules`` under its plain name, which
    is how ``make_demo_data`` finds its sibling (``from demo_sav import ...``): load the sibling
    first. ``scripts/`` itself is never put on the import path.
    """
    path = SCRIPTS / f"{name}.py"
    loaded = sys.modules.get(name)
    if loaded is not None and Path(getattr(loaded, "__file__", None) or "").resolve() == path:
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


@pytest.fixture(scope="session")
def demo_sav() -> ModuleType:
    """``scripts/demo_sav.py``: the pinned .sav header timestamp."""
    return load_script("demo_sav")


@pytest.fixture(scope="session")
def generator(demo_sav) -> ModuleType:
    """``scripts/make_demo_data.py``, the generator of the demo survey (imports ``demo_sav``)."""
    return load_script("make_demo_data")


@pytest.fixture(autouse=True)
def _own_report_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets an empty report cache folder: no test reuses another's figures or reports."""
    monkeypatch.setenv("PEWLIKE_CACHE_DIR", str(tmp_path_factory.mktemp("pewlike-cache")))
