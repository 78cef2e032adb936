"""Spreadsheets people can compute with, and the notebook view (issue #11).

``to_excel`` of toplines, crosstabs and models, and the report's ``tables.xlsx``: shares are
numeric cells in percent format equal to ``to_frame()``, letters and flags sit in their own
columns, text from the data stays text.  ``_repr_html_`` shows the Pew table with its notes.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import PewlikeError

openpyxl = pytest.importorskip("openpyxl")

VAR = "CONCERNCO_W49"


def _rows(path):
    ws = openpyxl.load_workbook(path).worksheets[0]
    return ws, [list(r) for r in ws.iter_rows()]


def _cell_by_label(rows, label):
    for r in rows:
        if r[0].value == label:
            return r
    raise AssertionError(f"no row {label!r}")


def test_topline_to_excel_holds_the_shares_as_percent_numbers(demo, tmp_path):
    t = demo.topline(VAR, nets="auto", base="all")
    path = t.to_excel(tmp_path / "t.xlsx")
    ws, rows = _rows(path)
    assert ws["A1"].value == t.question
    f = t.to_frame()
    for level, est in zip(f["level"].astype(str), f["estimate"]):
        row = next(r for r in rows if r[0].value is not None and str(r[0].value).strip() == level)
        assert row[1].data_type == "n" and row[1].number_format == "0%"
        assert row[1].value == pytest.approx(est, rel=1e-12)
    n = _cell_by_label(rows, "Unweighted N")[1]
    assert n.value == t.n and n.number_format == "#,##0"
    assert _cell_by_label(rows, "Margin of error (± points)")[1].value == pytest.approx(t.moe)
    notes = [r[0].value for r in rows if r[0].value and str(r[0].value).startswith("Asked of")]
    assert notes and "Refused shown" in notes[0]


def test_crosstab_to_excel_puts_letters_beside_numbers(demo, tmp_path):
    x = demo.crosstab(VAR, "F_AGECAT", nets="auto")
    _, rows = _rows(x.to_excel(tmp_path / "x.xlsx"))
    header = next(r for r in rows if r[0].value == "Response")
    names = [c.value for c in header]
    assert names[:4] == ["Response", "Total", "18-29 (A)", "A sig."]
    f = x.to_frame()
    for col, letter in x.letters_of.items():
        j = names.index(f"{col} ({letter})")
        sub = f[f["F_AGECAT"].astype(str) == col]
        for r in sub.itertuples():
            label = str(r.level)
            row = next(rr for rr in rows if rr[0].value is not None and str(rr[0].value).strip() == label)
            assert row[j].value == pytest.approx(r.estimate, rel=1e-12)
            assert row[j].number_format == "0%"
            assert (row[j + 1].value or "") == r.letters
            if row[j + 1].value is not None:
                assert row[j + 1].data_type == "s"
    # at least one letter is present in the demo's age crosstab, so the test can fail
    assert any(c.value for r in rows for c in r[3::2] if isinstance(c.value, str) and c.value.isalpha())


def test_small_columns_get_a_flag_column(tmp_path):
    rng = np.random.default_rng(11)
    n = 400
    df = pd.DataFrame(
        {
            "Q": pd.Categorical(rng.choice(["Yes", "No"], n), categories=["Yes", "No"], ordered=True),
            "G": pd.Categorical(rng.choice(["a", "b", "c"], n, p=[0.6, 0.35, 0.05]), categories=["a", "b", "c"]),
            "w": rng.uniform(0.5, 2, n),
        }
    )
    x = pw.Survey(df, weights="w").crosstab("Q", "G", min_n=50)
    _, rows = _rows(x.to_excel(tmp_path / "s.xlsx"))
    names = [c.value for c in next(r for r in rows if r[0].value == "Response")]
    assert "C flag" in names and "A flag" not in names
    j = names.index("C flag")
    want = set(x.to_frame().loc[lambda d: d["G"].astype(str) == "c", "flag"])
    assert want == {"small base"}
    assert {r[j].value for r in rows if r[0].value in ("Yes", "No")} == want


def test_model_to_excel_is_to_frame_in_numbers(demo, tmp_path):
    fit = demo.logit(f"{VAR} in ['Very concerned'] ~ F_SEX + F_AGECAT")
    _, rows = _rows(fit.to_excel(tmp_path / "m.xlsx"))
    f = fit.to_frame()
    header = [c.value for c in rows[2]]
    assert header == list(f.columns)
    body = rows[3 : 3 + len(f)]
    np.testing.assert_allclose([r[1].value for r in body], f["estimate"], rtol=1e-12)
    np.testing.assert_allclose([r[4].value for r in body], f["p_value"], rtol=1e-12)
    assert [r[0].value for r in body] == list(f["term"])
    assert any(str(r[0].value).startswith("Model: ") for r in rows if r[0].value)


def test_to_excel_refuses_other_extensions(demo, tmp_path):
    with pytest.raises(PewlikeError, match=r"\.xlsx"):
        demo.topline(VAR).to_excel(tmp_path / "t.csv")
    assert not (tmp_path / "t.csv").exists()


def test_formula_looking_labels_stay_text(tmp_path):
    df = pd.DataFrame(
        {
            "Q": pd.Categorical(["=1+1", "@SUM(A1)", "=1+1", "plain"] * 25, categories=["=1+1", "@SUM(A1)", "plain"]),
        }
    )
    t = pw.Survey(df, weights=None).topline("Q")
    _, rows = _rows(t.to_excel(tmp_path / "f.xlsx"))
    cells = {r[0].value: r[0] for r in rows if r[0].value}
    assert cells["=1+1"].data_type == "s" and cells["=1+1"].quotePrefix
    assert cells["@SUM(A1)"].data_type == "s" and cells["@SUM(A1)"].quotePrefix
    assert _cell_by_label(rows, "=1+1")[1].value == pytest.approx(0.5)


def test_workbook_bytes_are_reproducible(demo, tmp_path):
    x = demo.crosstab(VAR, "F_SEX")
    a, b = x.to_excel(tmp_path / "a.xlsx"), x.to_excel(tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()


def test_repr_html_is_the_pew_table_with_notes(demo):
    t = demo.topline(VAR, nets="auto")
    out = t._repr_html_()
    doc = t.table()
    for label, pct in zip(doc.frame["Response"], doc.frame["%"]):
        assert f">{pct}<" in out
        assert html.escape(label.strip(), quote=True) in out
    assert html.escape(t.question, quote=True) in out or t.question in out
    for note in t.notes():
        assert html.escape(note, quote=True) in out
    assert "0.33224" not in out  # not the long frame of fractions
    x = demo.crosstab(VAR, "F_AGECAT")
    xo = x._repr_html_()
    assert "18-29 (A)" in xo and "Rao-Scott" in xo


def test_repr_html_escapes_labels():
    df = pd.DataFrame({"Q": pd.Categorical(["<script>x</script>", "ok"] * 10)})
    svy = pw.Survey(df, weights=None)
    out = svy.topline("Q")._repr_html_()
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_model_repr_html_rounds_and_notes(demo):
    fit = demo.logit(f"{VAR} in ['Very concerned'] ~ F_SEX")
    out = fit._repr_html_()
    f = fit.to_frame()
    assert f"{f['estimate'].iloc[1]:.3f}" in out
    assert f"N = {fit.n_obs:,} respondents" in out and "Model: " in out
