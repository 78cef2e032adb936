"""Figures: what is drawn equals the estimates (bar lengths, dot positions, printed nets), the
question wording and source are on the figure, and saved files are byte-reproducible."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.patches import Rectangle

import pewlike as pw
from pewlike import plots
from pewlike.plots.theme import diverging_colors, save_figure, text_color
from pewlike.tables.export import pew_percent

SOURCE = "privacy_survey_demo.sav"


@pytest.fixture(scope="module")
def tabs(demo):
    return [demo.crosstab("CONCERNCO", by, nets="auto") for by in ("F_AGECAT", "F_SEX")]


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_yticklabels()]
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    return out


def _bars(fig) -> dict[str, Rectangle]:
    return {p.get_gid(): p for ax in fig.axes for p in ax.patches if p.get_gid()}


def test_likert_bar_lengths_are_the_estimates(tabs):
    fig = plots.likert(*tabs, source=SOURCE, synthetic=True)
    bars = _bars(fig)
    frames = [("Total", tabs[0].total.to_frame())]
    for t in tabs:
        f = t.to_frame()
        frames += [(c, f[f[t.by].astype(str) == c]) for c in t.columns]
    checked = 0
    for label, f in frames:
        resp = f[f["kind"] == "response"]
        for lev, est in zip(resp["level"].astype(str), resp["estimate"]):
            bar = bars[f"{label}|{lev}"]
            assert bar.get_width() == pytest.approx(100 * est, rel=1e-12)
            checked += 1
        # the first half of the scale is right of zero, the second half left, adjacent to it
        mild_right = bars[f"{label}|Somewhat concerned"]
        mild_left = bars[f"{label}|Not too concerned"]
        assert mild_right.get_x() == pytest.approx(0.0)
        assert mild_left.get_x() + mild_left.get_width() == pytest.approx(0.0)
        very = bars[f"{label}|Very concerned"]
        assert very.get_x() == pytest.approx(mild_right.get_width())
    assert checked == 4 * len(frames) == len(bars)


def test_likert_prints_nets_wording_source_and_n(tabs):
    fig = plots.likert(*tabs, source=SOURCE, synthetic=True)
    texts = _texts(fig)
    joined = " ".join(texts).replace("\n", " ")
    assert "How concerned are you, if at all, about how companies are using the data they collect" in joined
    assert "Source: privacy_survey_demo.sav, weighted; synthetic demo data." in joined
    assert f"n = {tabs[0].total.n:,}" in joined
    for heading in ("Age category", "Sex", "Total", "18-29", "Female"):
        assert heading in texts
    nets = {t.get_gid(): t.get_text() for ax in fig.axes for t in ax.texts if (t.get_gid() or "").startswith("net:")}
    f = tabs[0].to_frame()
    row = f[(f["F_AGECAT"] == "65+") & (f["level"] == "NET Very/Somewhat concerned")]
    assert nets["net:65+|NET Very/Somewhat concerned"] == pew_percent(row["estimate"].item())
    total = tabs[0].total.to_frame()
    tot = total.loc[total["level"] == "NET Not too/Not at all concerned", "estimate"].item()
    assert nets["net:Total|NET Not too/Not at all concerned"] == pew_percent(tot)
    assert "Very concerned" in texts and "Not at all concerned" in texts  # legend


def test_likert_of_items_with_a_middle_answer(demo):
    nets = {"NET All/Most": ["All or almost all of it", "Most of it"]}
    a, b = demo.topline("TRACKCO1a", nets=nets), demo.topline("TRACKGOV1a", nets=nets)
    fig = plots.likert(items=[("Companies", a), ("Government", b)], title="Tracking", source=SOURCE)
    bars = _bars(fig)
    some = bars["Companies|Some of it"]
    assert some.get_x() == pytest.approx(-some.get_width() / 2)  # the middle answer straddles zero
    est = a.to_frame().set_index(a.to_frame()["level"].astype(str))["estimate"]
    assert some.get_width() == pytest.approx(100 * est["Some of it"])
    assert bars["Government|None of it"].get_width() == pytest.approx(
        100 * b.to_frame().query("level == 'None of it'")["estimate"].item()
    )
    assert "Tracking" in _texts(fig)[0]


def test_dot_plot_points_and_whiskers_are_estimates_and_cis(tabs):
    level = "NET Very/Somewhat concerned"
    fig = plots.dot_plot(*tabs, level=level, source=SOURCE, synthetic=True)
    ax = fig.axes[0]
    pts = next(c for c in ax.collections if isinstance(c, PathCollection))
    xy = pts.get_offsets()
    want = [tabs[0].total.to_frame().query("level == @level")]
    for t in tabs:
        f = t.to_frame()
        want += [f[(f[t.by].astype(str) == c) & (f["level"] == level)] for c in t.columns]
    est = np.array([100 * w["estimate"].item() for w in want])
    np.testing.assert_allclose(np.asarray(xy[:, 0]), est, rtol=1e-12)
    # whiskers: one segment per point from ci_lower to ci_upper
    segs = next(c for c in ax.collections if c.__class__.__name__ == "LineCollection").get_segments()
    lo = np.array([100 * w["ci_lower"].item() for w in want])
    hi = np.array([100 * w["ci_upper"].item() for w in want])
    np.testing.assert_allclose([s[0][0] for s in segs], lo, rtol=1e-12)
    np.testing.assert_allclose([s[1][0] for s in segs], hi, rtol=1e-12)
    assert f"% saying: {level}" in _texts(fig)


def test_paired_dots_show_both_questions(demo, tabs):
    gov = [demo.crosstab("CONCERNGOV", by, nets="auto") for by in ("F_AGECAT", "F_SEX")]
    level = "NET Very/Somewhat concerned"
    fig = plots.paired_dots(tabs, gov, level_first=level, title="Companies vs government", source=SOURCE)
    ax = fig.axes[0]
    coll = {c.get_gid(): c for c in ax.collections if isinstance(c, PathCollection)}
    co, go = coll["Companies"].get_offsets(), coll["Government"].get_offsets()
    assert co[0, 0] == pytest.approx(100 * tabs[0].total.to_frame().query("level == @level")["estimate"].item())
    assert go[0, 0] == pytest.approx(100 * gov[0].total.to_frame().query("level == @level")["estimate"].item())
    assert {"Companies", "Government"} <= set(_texts(fig))
    with pytest.raises(pw.PewlikeError, match="not in the results"):
        plots.paired_dots(tabs, gov, level_first="NET nope", source=SOURCE)


def test_coef_plot_draws_odds_ratios_on_a_log_axis():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "term": ["(Intercept)", "F_AGECAT30-49", "F_SEXFemale", "1|2"],
            "estimate": [2.0, 1.5, 0.8, 0.1],
            "ci_lower": [1.5, 1.1, 0.6, 0.05],
            "ci_upper": [2.5, 2.0, 1.1, 0.2],
        }
    )
    fig = plots.coef_plot(frame, odds=True, title="Odds of concern", source=SOURCE, n=4000)
    ax = fig.axes[0]
    pts = next(c for c in ax.collections if c.get_gid() == "estimates").get_offsets()
    np.testing.assert_allclose(pts[:, 0], [1.5, 0.8])  # intercept and cut points left out
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["F_AGECAT30-49", "F_SEXFemale"]
    labels = {"F_AGECAT30-49": "Age category: 30-49", "F_SEXFemale": "Sex: Female"}
    fig = plots.coef_plot(frame, odds=True, title="Odds", source=SOURCE, labels=labels)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Age category", "30-49", "Sex", "Female"]
    pts = next(c for c in ax.collections if c.get_gid() == "estimates").get_offsets()
    np.testing.assert_allclose(pts[:, 1], [1, 3])  # each estimate on its level's row, under its heading


def test_predicted_plot_by_group():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "variable": "F_AGECAT",
            "level": ["18-29", "30-49", "30-49"],
            "type": ["prediction", "prediction", "contrast"],
            "estimate": [0.7, 0.8, 0.1],
            "ci_lower": [0.65, 0.76, 0.05],
            "ci_upper": [0.75, 0.84, 0.15],
        }
    )
    fig = plots.predicted_plot(frame, group="F_AGECAT", title="Predicted", source=SOURCE)
    pts = next(c for c in fig.axes[0].collections if isinstance(c, PathCollection)).get_offsets()
    np.testing.assert_allclose(pts[:, 0], [70, 80])  # predictions only, not the contrast


def test_saved_figures_are_byte_identical(tmp_path, tabs):
    a = save_figure(plots.likert(*tabs, source=SOURCE), tmp_path / "a")
    b = save_figure(plots.likert(*tabs, source=SOURCE), tmp_path / "b")
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes()
    svg = a[1].read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert b"Matplotlib" not in a[0].read_bytes()  # no software tag in the PNG


def test_palette_is_diverging_and_text_readable():
    cols = diverging_colors(2, 1, 2)
    assert len(cols) == 5 and len(set(cols)) == 5
    assert text_color(cols[0]) == "white" and text_color("#FDD0A2") != "white"
    with pytest.raises(pw.PewlikeError, match="up to 4 levels"):
        diverging_colors(5, 0, 5)


def test_dollar_signs_are_text_not_math(demo):
    t = demo.crosstab("CONCERNCO", "F_INCOME_RECODE", nets="auto")
    fig = plots.likert(t, source=SOURCE)
    labels = [x for x in fig.axes[0].get_yticklabels() if "$" in x.get_text()]
    assert [x.get_text() for x in labels] == ["<$30,000", "$30,000-$74,999", "$75,000+"]
    assert not any(x.get_parse_math() for x in labels)


def test_ordinal_coefficient_plot_says_which_way_the_odds_run():
    import pewlike as pw
    from pewlike.plots import coef_plot

    fit = pw.demo().ologit("CONCERNCO ~ F_SEX")
    assert "further down the scale" in coef_plot(fit.to_frame(), odds=False, title="t").axes[0].get_xlabel()
    ors = fit.odds_ratios().rename(columns={"odds_ratio": "estimate"})
    assert "further down the scale" in coef_plot(ors, title="t", ordinal=True).axes[0].get_xlabel()
    logit = pw.demo().logit("CONCERNCO in ['Very concerned'] ~ F_SEX")
    frame = logit.odds_ratios().rename(columns={"odds_ratio": "estimate"})
    assert coef_plot(frame, title="t").axes[0].get_xlabel() == "Odds ratio (95% CI)"
