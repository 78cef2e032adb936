"""The weighting package imports its verbs on first use (#15: a one-shot topline imports no raking code)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest


def test_topline_imports_no_raking_or_calibration_module() -> None:
    code = (
        "import sys, pewlike as pw\n"
        "t = pw.demo().topline('CONCERNCO')\n"
        "print(round(float(t.to_frame()['estimate'].iloc[0]), 6))\n"
        "print(sorted(m for m in sys.modules if m.startswith('pewlike.weighting.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert 0 < float(out[0]) < 1
    loaded = ast.literal_eval(out[1])
    assert "pewlike.weighting.summary" in loaded
    assert not {"pewlike.weighting.raking", "pewlike.weighting.calibration", "pewlike.weighting.trimming"} & set(loaded)


def test_verbs_resolve_on_first_use_and_unknown_names_fail() -> None:
    import pewlike.weighting as w
    from pewlike.weighting.raking import rake
    from pewlike.weighting.summary import moe

    assert w.rake is rake and w.moe is moe
    assert set(w.__all__) <= set(dir(w)) | set(w._WHERE)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = w.nothing
