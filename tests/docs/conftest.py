"""The documentation site, built once for the tests of this folder.

``mkdocs build --strict`` runs in a child process from the repository root (the executed
examples read ``tests/reference`` relative to it). ``PEWLIKE_DOCS_SITE`` names a site already
built by the same command (``.ci/run`` builds it once and passes it here).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]

# every plugin mkdocs.yml names (the docs extra: pip install -e '.[docs]')
PLUGINS = ("mkdocs", "material", "mkdocstrings_handlers", "mkdocs_click", "markdown_exec")


def require_docs_extra() -> None:
    """Skip the calling test module when a package of the docs extra is not installed."""
    for name in PLUGINS:
        if importlib.util.find_spec(name) is None:
            pytest.skip(
                f"documentation tests need {name!r}, which the docs extra installs: pip install -e '.[docs]'",
                allow_module_level=True,
            )


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` on ``config`` into ``site``; the result keeps its output."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "--site-dir", str(site)],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site of this checkout (built once per session unless PEWLIKE_DOCS_SITE is set)."""
    given = os.environ.get("PEWLIKE_DOCS_SITE")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("site")
    done = mkdocs_build(ROOT / "mkdocs.yml", out)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


@pytest.fixture(scope="session")
def hooks() -> ModuleType:
    """``docs/hooks.py``, loaded by file path (nothing is added to the import path)."""
    spec = importlib.util.spec_from_file_location("pewlike_docs_hooks", ROOT / "docs" / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
