"""What reaches a terminal: results' text, aligned tables and the CLI's formats."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pewlike.cli.format import markdown, render
from pewlike.resultbase import Result, frame_text


@dataclass(frozen=True, repr=False)
class _Echo(Result):
    text: str

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"text": [self.text]})

    def summary(self) -> str:
        return f"Result: {self.text}"


def test_every_result_summary_is_terminal_safe():
    r = _Echo("\x1b[31mred\x1b[0m \x1b]0;pwned\x07\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ ok\x08\x08\rX")
    assert r.summary() == "Result: red link ok\nX"
    assert str(r) == repr(r) == r.summary()
    assert "\x07" not in r._repr_html_() and "pwned" not in r._repr_html_()
    assert _Echo.summary.__name__ == "summary" and _Echo.summary.__wrapped__(_Echo("\x07")) == "Result: \x07"


def test_a_subclass_of_a_subclass_is_wrapped_once():
    @dataclass(frozen=True, repr=False)
    class Child(_Echo):
        pass

    assert Child("\x1b[1mb").summary() == "Result: b"
    assert Child.summary is _Echo.summary


def test_frame_text_aligns_after_cleaning():
    frame = pd.DataFrame({"level\x1b[1m": ["\x1b]0;t\x07Yes", "No"], "n": [1200, 8]})
    assert frame_text(frame).splitlines() == ["level  n    ", "Yes    1,200", "No         8"]


def test_cli_formats_are_safe_for_where_they_go():
    frame = pd.DataFrame(
        {"level": ["=1+1", "<b>x</b>|[a](javascript:b)", "\x1b]0;t\x07ok"], "estimate": [-0.5, 0.25, 1.0]}
    )
    assert render(frame, "csv").splitlines() == [
        "level,estimate",
        "'=1+1,-0.5",
        "<b>x</b>|[a](javascript:b),0.25",
        "ok,1.0",
    ]
    assert markdown(frame).splitlines()[3] == "| &lt;b>x&lt;/b>\\|[a\\](javascript:b) | 0.25 |"
    table = render(frame, "table")
    assert "\x1b" not in table and "\x07" not in table and table.splitlines()[3].split() == ["ok", "1.00"]
