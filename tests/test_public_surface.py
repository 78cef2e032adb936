"""The typed, documented public surface: every public callable is annotated and has a docstring.

Public means a module-level function or class whose name does not start with ``_``, in a
module whose dotted path has no private part, and the public methods of public classes.
(mypy, run by .ci/run, checks that the annotations are consistent.)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pewlike"
Def = ast.FunctionDef | ast.AsyncFunctionDef


def _public_modules() -> list[Path]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if not any(p.startswith("_") and p not in ("__init__", "__main__") for p in parts):
            out.append(path)
    return out


def _public_callables(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]]:
    for node in tree.body:
        if isinstance(node, Def | ast.ClassDef) and not node.name.startswith("_"):
            yield node.name, node
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for sub in node.body:
                if isinstance(sub, Def) and (not sub.name.startswith("_") or sub.name == "__init__"):
                    yield f"{node.name}.{sub.name}", sub


def _missing_annotations(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    a = fn.args
    params = [p for p in a.posonlyargs + a.args + a.kwonlyargs if p.arg not in ("self", "cls")]
    bad = [p.arg for p in params if p.annotation is None]
    bad += [f"*{p.arg}" for p in (a.vararg, a.kwarg) if p is not None and p.annotation is None]
    if fn.returns is None and fn.name != "__init__":
        bad.append("return")
    return bad


MODULES = _public_modules()


def test_the_package_has_public_modules():
    assert len(MODULES) > 60
    assert PACKAGE / "survey.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_public_callables_are_annotated_and_documented(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for name, node in _public_callables(tree):
        if isinstance(node, Def):
            bad = _missing_annotations(node)
            if bad:
                problems.append(f"{name}: no annotation for {', '.join(bad)}")
        if not ast.get_docstring(node) and not name.endswith(".__init__"):
            problems.append(f"{name}: no docstring")
    assert problems == []


def test_the_check_catches_an_unannotated_undocumented_function():
    tree = ast.parse("def f(x, *args):\n    return x\n\nclass C:\n    def m(self, y) -> int:\n        return 1\n")
    found = dict(_public_callables(tree))
    assert set(found) == {"f", "C", "C.m"}
    assert _missing_annotations(found["f"]) == ["x", "*args", "return"]
    assert _missing_annotations(found["C.m"]) == ["y"]
    assert not ast.get_docstring(found["f"])
