"""column_cells (the cells of a crosstab by column, read once) equals selecting each column's rows,
and the banners and sheets built from it equal those built by selecting rows (issue #15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.tables import banner
from pewlike.tables.cells import column_cells
from pewlike.tables.sheets import banner_sheet


def _by_selection(tab) -> dict[str, dict[str, tuple]]:
    """The cells as the banner selected them before: each column's rows from the frame, one after another."""
    f = tab.frame
    out = {}
    for c in f[tab.by].astype(str).unique():
        sub = f[f[tab.by].astype(str) == c]
        out[c] = {str(r.level): (r.estimate, r.letters, r.flag, r.ci_lower, r.ci_upper) for r in sub.itertuples()}
    return out


def _same(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for col in a:
        assert list(a[col]) == list(b[col])
        for level in a[col]:
            got, want = a[col][level], b[col][level]
            assert [type(x) for x in got] == [type(x) for x in want]
            np.testing.assert_array_equal(np.array(got, dtype=object), np.array(want, dtype=object))


def _survey(seed: int, groups: int, answers: int, small: int) -> pw.Survey:
    """Seeded data: a question with ``answers`` answers (some missing), a demographic whose last group is small."""
    rng = np.random.default_rng(seed)
    n = 600
    sizes = [small] + [(n - small) // (groups - 1)] * (groups - 1)
    by = np.repeat([f"Group {i}" for i in range(groups)], sizes)[: n - 1]
    m = by.size
    q = rng.choice([f"Answer {j}" for j in range(answers)], size=m).astype(object)
    q[rng.random(m) < 0.05] = None
    df = pd.DataFrame({"Q": pd.Categorical(q), "G": pd.Categorical(by), "W": rng.uniform(0.5, 2.0, m)})
    return pw.Survey(df, weights="W")


@pytest.mark.parametrize(("seed", "groups", "answers", "small"), [(1, 2, 2, 40), (2, 4, 5, 30), (3, 6, 3, 150)])
def test_cells_equal_selecting_each_columns_rows(seed, groups, answers, small):
    svy = _survey(seed, groups, answers, small)
    for letters in (True, False):
        tab = svy.crosstab("Q", "G", letters=letters, min_n=50)
        cells = column_cells(tab)
        _same(cells, _by_selection(tab))
        assert sorted(cells) == sorted(tab.columns)
        flags = {flag for col in cells.values() for (_, _, flag, _, _) in col.values()}
        assert ("small base" in flags) == (small < 50)


def test_banner_and_sheet_equal_those_built_by_selection(demo):
    tabs = [demo.crosstab("CONCERNCO", by, nets="auto") for by in ("F_AGECAT", "F_SEX", "F_PARTYSUM_FINAL")]
    doc = banner(tabs, ci=True)
    assert doc.frame.shape[1] == 2 + sum(len(t.columns) for t in tabs)
    # the sheet from the banner's cells equals one that reads the cells itself
    from pewlike.tables.toplines import layout_rows

    labels, tot = layout_rows(tabs[0].total.frame, tabs[0].total.nets)
    given = banner_sheet(tabs, labels, tot, cells=[_by_selection(t) for t in tabs])
    assert doc.sheet == given == banner_sheet(tabs, labels, tot)
    # a cell of the text table is the estimate of that column and answer, with its interval
    male = column_cells(tabs[1])["Male"]["Very concerned"]
    row = list(doc.frame["Response"].str.strip()).index("Very concerned")
    col = next(c for c in doc.frame.columns if c.startswith("Male ("))
    assert doc.frame.loc[row, col].startswith(f"{100 * male[0]:.0f}")
    assert doc.frame.loc[row, col].endswith(f"[{100 * male[3]:.0f}-{100 * male[4]:.0f}]")
