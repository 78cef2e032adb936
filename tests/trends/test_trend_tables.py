"""The Pew trend topline, the change crosstab by group, their HTML and the Excel workbook (issue #13).

Every number is checked against ``Trend.to_frame()``/``Trend.changes()`` (themselves checked
against R in ``test_trends.py``), on seeded waves of several shapes (2-4 waves, 1-3 groups).
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

import pewlike as pw
from pewlike.trends.tables import CHANGE_FORMAT, SHARE_FORMAT, SIGNIFICANT_FORMAT, change_values, topline_values
from tests.trends.synth import waves

SHAPES = [(11, 2, 1), (12, 3, 2), (13, 4, 3), (14, 2, 3)]


def _trend(seed: int, n_waves: int, groups: int, **kw):
    svy = pw.stack(waves(seed, n_waves, groups=groups, **kw))
    return svy.trend("Q", by="GRP" if groups > 1 else None)


@pytest.mark.parametrize(("seed", "n_waves", "groups"), SHAPES)
def test_topline_and_crosstab_read_the_changes(seed, n_waves, groups):
    tr = _trend(seed, n_waves, groups)
    first, last = tr.waves[0], tr.waves[-1]
    frame, ch = tr.to_frame(), tr.changes()
    ch = ch[(ch["from_wave"] == first) & (ch["to_wave"] == last)]
    top = topline_values(tr)
    by = list(tr.by)
    assert list(top.columns) == [*by, "level", *tr.waves, "change", "significant"]
    assert len(top) == len(ch)
    for _, row in top.iterrows():
        sel = frame["level"] == row["level"]
        csel = ch["level"] == row["level"]
        for b in by:
            sel &= frame[b].astype(str) == row[b]
            csel &= ch[b].astype(str) == row[b]
        for w in tr.waves:
            assert row[w] == frame.loc[sel & (frame["wave"] == w), "estimate"].item()
        assert row["change"] == ch.loc[csel, "difference"].item()
        assert row["significant"] == ch.loc[csel, "significant"].item()
    text = tr.table()
    assert list(text.columns) == [*by, "level", *tr.waves, f"Change {first}-{last}"]
    marks = text[f"Change {first}-{last}"].str.endswith("*")
    assert marks.tolist() == top["significant"].tolist()
    assert marks.any() and not marks.all()  # the seeded drift makes some changes significant
    diff, sig = change_values(tr)
    cross = tr.change_table()
    groups_seen = [c for c in diff.columns if c != "level"]
    assert len(groups_seen) == (groups if groups > 1 else 1)
    for _, c in ch.iterrows():
        col = str(c["GRP"]) if groups > 1 else f"Change {first}-{last}"
        i = diff.index[diff["level"] == c["level"]].item()
        assert diff.loc[i, col] == c["difference"]
        assert sig.loc[i, col] == c["significant"]
        assert cross.loc[i, col] == f"{100 * c['difference']:+.0f}" + ("*" if c["significant"] else "")
    printed = str(tr)
    assert text.iloc[0, -1] in printed
    assert ("by GRP (points)" in printed) == (groups > 1)


@pytest.mark.parametrize(("seed", "n_waves", "groups"), SHAPES[:3])
def test_excel_has_numeric_percent_cells_and_marks_significance(tmp_path, seed, n_waves, groups):
    tr = _trend(seed, n_waves, groups)
    path = tr.to_excel(tmp_path / "trend.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == (["Trend", "Change by group"] if groups > 1 else ["Trend"])
    ws = wb["Trend"]
    top = topline_values(tr)
    keys = [*tr.by, "level"]
    assert [c.value for c in ws[3]] == [*keys, *tr.waves, f"Change {tr.waves[0]}-{tr.waves[-1]}"]
    for i, (_, row) in enumerate(top.iterrows()):
        cells = ws[4 + i]
        assert [c.value for c in cells[: len(keys)]] == [row[k] for k in keys]
        for j, w in enumerate(tr.waves):
            cell = cells[len(keys) + j]
            assert isinstance(cell.value, float) and cell.number_format == SHARE_FORMAT
            np.testing.assert_allclose(cell.value, row[w], rtol=1e-15)
        last = cells[-1]
        np.testing.assert_allclose(last.value, row["change"], rtol=1e-15)
        assert last.number_format == (SIGNIFICANT_FORMAT if row["significant"] else CHANGE_FORMAT)
        assert bool(last.font.b) == bool(row["significant"])
    if groups > 1:
        diff, sig = change_values(tr)
        ws2 = wb["Change by group"]
        assert [c.value for c in ws2[3]] == list(diff.columns)
        for i in range(len(diff)):
            cells = ws2[4 + i]
            assert cells[0].value == diff.iloc[i, 0]
            for j in range(1, diff.shape[1]):
                np.testing.assert_allclose(cells[j].value, diff.iloc[i, j], rtol=1e-15)
                assert (cells[j].number_format == SIGNIFICANT_FORMAT) == bool(sig.iloc[i, j])
    again = tr.to_excel(tmp_path / "again.xlsx")
    assert again.read_bytes() == path.read_bytes()  # byte-reproducible


def test_untrusted_labels_are_escaped_in_html_and_text_in_excel(tmp_path):
    labels = ['=HYPERLINK("http://x")', "<b>bold</b>", "Not too", "@SUM(A1)"]
    svy = pw.stack(waves(21, 2, groups=2, labels=labels, question="<script>alert(1)</script>"))
    tr = svy.trend("Q", by="GRP")
    html = tr._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert html.count("<table>") == 2  # the topline and the change by group
    ws = openpyxl.load_workbook(tr.to_excel(tmp_path / "x.xlsx"))["Trend"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    guarded = cells[labels[0]]
    assert guarded.data_type == "s" and guarded.quotePrefix
    assert cells["@SUM(A1)"].quotePrefix and not cells["<b>bold</b>"].quotePrefix
    assert ws["A1"].value == "Q: <script>alert(1)</script>"
