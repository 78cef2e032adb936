"""Partitioned surveys on Dask (issue #7): every estimator and design equals the in-memory result.

One LocalCluster (2 worker processes, 1 thread each) serves the whole module; the data are
a small synthetic survey written to several Parquet files under tmp_path.  The reference
for every number is the in-memory :class:`pewlike.Survey` on the same rows (itself pinned
to R survey by the reference tests); agreement is required to 1e-10 relative.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import pewlike as pw  # noqa: E402
from pewlike.errors import EstimationError, PewlikeError  # noqa: E402

RTOL = 1e-10
AGE = ["18-29", "30-49", "50-64", "65+"]


def make_frame(n: int = 1200, seed: int = 7) -> pd.DataFrame:
    """A survey with strata, nested PSUs, two stages, fpcs, lonely strata and missing answers."""
    rng = np.random.default_rng(seed)
    st = rng.integers(0, 6, n)
    psu = rng.integers(0, 4, n)
    lonely_psu = np.where(st == 2, 0, psu)  # stratum 2 has a single PSU
    st_rows = st.copy()
    st_rows[0] = 9  # stratum 9 has a single row
    sex = rng.choice(["Male", "Female", "Refused"], n, p=[0.48, 0.49, 0.03])
    q = rng.choice(["Very", "Somewhat", "Not too", "Not at all", "Refused"], n, p=[0.3, 0.3, 0.2, 0.15, 0.05])
    y = rng.normal(50, 10, n) + 2 * st
    y[rng.random(n) < 0.05] = np.nan
    # a split-form question, asked of form 1 only: the respondents of half the PSUs (own generator)
    form1 = psu % 2 == 0
    q2 = np.where(form1, np.random.default_rng(seed + 1).choice(["Yes", "No", "Refused"], n, p=[0.5, 0.45, 0.05]), None)
    return pd.DataFrame(
        {
            "stratum": st,
            "psu": st * 10 + psu,
            "psu_in": psu,
            "ssu": rng.integers(0, 3, n),
            "psu_lonely": st * 10 + lonely_psu,
            "stratum_rows": st_rows,
            "unit": rng.integers(0, 40, n),
            "F_SEX": pd.Categorical(sex, categories=["Male", "Female", "Refused"]),
            "F_AGECAT": pd.Categorical(rng.choice(AGE, n), categories=AGE, ordered=True),
            "Q1": pd.Categorical(q, categories=["Very", "Somewhat", "Not too", "Not at all", "Refused"], ordered=True),
            "region": pd.array(rng.choice(["NE", "MW", "S", "W"], n), dtype="str"),
            "Q2": pd.Categorical(q2, categories=["Yes", "No", "Refused"]),
            "y": y,
            "x": rng.gamma(2, 2, n),
            "weight": rng.gamma(4, 0.5, n) * (1 + st / 4),
            "fpc1": 30.0 + st,
            "fpc2": 40.0,
            "fpc_rows": 2000.0 + 100 * st,
        }
    )


def _replicate_columns(df: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Replicate weights of several kinds as columns, and the rscales/scale they need."""
    base = pw.Survey(df, weights="weight", strata="stratum", psu="psu")
    extra, info = {}, {}
    two = pw.Survey(df.assign(p2=df.psu_in % 2), weights="weight", strata="stratum", psu="p2", nest=True)
    for name, svy, kw in (
        ("jkn", base, {}),
        ("brr", two, {}),
        ("fay", two, {"rho": 0.3}),
        ("boot", base, {"replicates": 30, "seed": 3}),
        ("jk1", pw.Survey(df, weights="weight", psu="unit"), {}),
    ):
        rt = {"jkn": "JKn", "brr": "BRR", "fay": "Fay", "boot": "bootstrap", "jk1": "JK1"}[name]
        r = svy.to_replicate(rt, **kw)
        W = r._design.repweights
        extra.update({f"{name}{i:02d}": W[:, i] for i in range(W.shape[1])})
        info[name] = (r._design.scale, r._design.rscales)
    f = np.random.default_rng(11).choice([0.29, 1.0, 1.71], size=(len(df), 80))
    extra.update({f"sdr{i:02d}": df["weight"].to_numpy() * f[:, i] for i in range(80)})
    return pd.concat([df, pd.DataFrame(extra, index=df.index)], axis=1), info


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    df, info = _replicate_columns(make_frame())
    folder = tmp_path_factory.mktemp("parts")
    cuts = [0, 250, 600, 900, len(df)]  # partitions of unequal size
    for i in range(4):
        df.iloc[cuts[i] : cuts[i + 1]].to_parquet(folder / f"part-{i}.parquet")
    return df, folder, info


def _design_args(name: str, info: dict) -> dict:
    _jkn_scale, jkn_rs = info["jkn"]
    return {
        "weights only": dict(weights="weight"),
        "strata, rows as units, fpc": dict(weights="weight", strata="stratum", fpc="fpc_rows"),
        "rows, lonely stratum adjust": dict(weights="weight", strata="stratum_rows", lonely_psu="adjust"),
        "rows, lonely stratum average": dict(weights="weight", strata="stratum_rows", lonely_psu="average"),
        "strata and PSUs": dict(weights="weight", strata="stratum", psu="psu"),
        "PSUs nested in strata": dict(weights="weight", strata="stratum", psu="psu_in", nest=True),
        "two stages with fpc": dict(weights="weight", strata="stratum", psu=["psu", "ssu"], fpc=["fpc1", "fpc2"]),
        "lonely PSU average": dict(weights="weight", strata="stratum", psu="psu_lonely", lonely_psu="average"),
        "lonely PSU adjust": dict(weights="weight", strata="stratum", psu="psu_lonely", lonely_psu="adjust"),
        "JKn": dict(weights="weight", repweights="jkn*", reptype="JKn", rscales=jkn_rs),
        "JK1 mse": dict(weights="weight", repweights="jk1*", reptype="JK1", scale=info["jk1"][0], mse=True),
        "BRR": dict(weights="weight", repweights="brr*", reptype="BRR"),
        "Fay": dict(weights="weight", repweights="fay*", reptype="Fay", rho=0.3),
        "bootstrap": dict(weights="weight", repweights="boot*", reptype="bootstrap"),
        "SDR": dict(weights="weight", repweights="sdr*", reptype="SDR"),
    }[name]


DESIGNS = [
    "weights only",
    "strata, rows as units, fpc",
    "rows, lonely stratum adjust",
    "rows, lonely stratum average",
    "strata and PSUs",
    "PSUs nested in strata",
    "two stages with fpc",
    "lonely PSU average",
    "lonely PSU adjust",
    "JKn",
    "JK1 mse",
    "BRR",
    "Fay",
    "bootstrap",
    "SDR",
]


def _pair(dataset, client, name):
    df, folder, info = dataset
    kw = _design_args(name, info)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mem = pw.Survey(df, **kw)
        dsk = pw.read(str(folder / "part-*.parquet"), engine="dask", scheduler=client, progress=False, **kw)
    return mem, dsk


def assert_same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    num = [c for c in b.columns if pd.api.types.is_float_dtype(b[c].dtype)]
    other = [c for c in b.columns if c not in num]
    pd.testing.assert_frame_equal(a[other].astype(str), b[other].astype(str))
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=RTOL, atol=0, equal_nan=True)


def assert_same(a, b) -> None:
    """Same result object: frame (labels exactly, numbers to 1e-10) and covariance."""
    assert type(a) is type(b)
    assert_same_frame(a.to_frame(), b.to_frame())
    scale = np.nanmax(np.abs(b.vcov))
    np.testing.assert_allclose(a.vcov, b.vcov, rtol=RTOL, atol=RTOL * scale, equal_nan=True)


def assert_same_test(a, b) -> None:
    assert a.method == b.method and a.variables == b.variables
    np.testing.assert_allclose(a.statistic, b.statistic, rtol=RTOL)
    np.testing.assert_allclose(np.ravel(a.df), np.ravel(b.df), rtol=RTOL)
    np.testing.assert_allclose(a.p_value, b.p_value, rtol=1e-8, atol=1e-15)


FULL = (
    "weights only",
    "strata, rows as units, fpc",
    "strata and PSUs",
    "two stages with fpc",
    "lonely PSU average",
    "SDR",
)


@pytest.mark.parametrize("name", DESIGNS)
def test_estimators_equal_in_memory(dataset, client, name):
    mem, dsk = _pair(dataset, client, name)
    # one Survey class, two backends (issue #10): a Dask frame gives a partitioned Survey
    assert isinstance(dsk, pw.Survey) and dsk.is_partitioned and not mem.is_partitioned and dsk.npartitions == 4
    assert (dsk.n, dsk.degf) == (mem.n, mem.degf)
    assert_same(dsk.proportion("Q1", by=["F_SEX", "region"]), mem.proportion("Q1", by=["F_SEX", "region"]))
    assert_same(dsk.mean("y", by="F_AGECAT"), mem.mean("y", by="F_AGECAT"))
    if name not in FULL:  # the other estimators share these designs' code paths; checked on FULL
        return
    assert_same(dsk.proportion("Q1", ci="beta", na_rm=False), mem.proportion("Q1", ci="beta", na_rm=False))
    assert_same(dsk.total("x", by="region"), mem.total("x", by="region"))
    assert_same(dsk.total("F_AGECAT"), mem.total("F_AGECAT"))
    assert_same(dsk.ratio("y", "x", by="F_SEX"), mem.ratio("y", "x", by="F_SEX"))
    assert_same_test(dsk.chisq("Q1", "F_AGECAT"), mem.chisq("Q1", "F_AGECAT"))
    assert_same_test(dsk.chisq("Q1", "F_SEX", statistic="adjWald"), mem.chisq("Q1", "F_SEX", statistic="adjWald"))
    assert_same_test(dsk.ttest("y", "F_SEX"), mem.ttest("y", "F_SEX"))
    td, tm = dsk.ttest("y", "F_SEX", level=0.9), mem.ttest("y", "F_SEX", level=0.9)
    assert td.extra["level"] == tm.extra["level"] == 0.9
    np.testing.assert_allclose(td.conf_int().to_numpy(), tm.conf_int().to_numpy(), rtol=RTOL)
    sub_d, sub_m = dsk.subset("F_AGECAT != '65+'"), mem.subset("F_AGECAT != '65+'")
    assert sub_d.n == sub_m.n
    assert_same(sub_d.proportion("Q1", by="F_SEX", ci="wilson"), sub_m.proportion("Q1", by="F_SEX", ci="wilson"))
    assert_same(sub_d.mean("y", na_rm=False), sub_m.mean("y", na_rm=False))


MARGINS = {
    "F_AGECAT": {"18-29": 0.2, "30-49": 0.33, "50-64": 0.25, "65+": 0.22},
    ("F_SEX", "region"): pd.Series(
        np.full(8, 1 / 8), index=pd.MultiIndex.from_product([["Male", "Female"], ["MW", "NE", "S", "W"]])
    ),
}


@pytest.mark.parametrize("name", ["strata, rows as units, fpc", "strata and PSUs", "lonely PSU average", "SDR"])
def test_rake_equals_in_memory(dataset, client, name):
    mem, dsk = _pair(dataset, client, name)
    rd = dsk.subset("F_SEX != 'Refused'").rake(MARGINS).rake({"F_AGECAT": MARGINS["F_AGECAT"]}, tol=1e-9)
    rm = mem.subset("F_SEX != 'Refused'").rake(MARGINS).rake({"F_AGECAT": MARGINS["F_AGECAT"]}, tol=1e-9)
    np.testing.assert_allclose(rd.weights.compute().to_numpy(), rm.weights.to_numpy(), rtol=RTOL)
    on_target = rd.proportion("F_AGECAT")  # raked margin: on target, SE zero up to rounding (R's residuals)
    np.testing.assert_allclose(on_target.estimate, list(MARGINS["F_AGECAT"].values()), rtol=1e-8)
    assert np.all(on_target.std_error < 1e-8)
    assert_same(rd.proportion("Q1", by="F_SEX"), rm.proportion("Q1", by="F_SEX"))
    assert_same(rd.mean("y", by="region"), rm.mean("y", by="region"))
    ws_d, ws_m = rd.weight_summary(), rm.weight_summary()
    np.testing.assert_allclose(
        [getattr(ws_d, k) for k in ("n", "sum", "min", "max", "sd", "deff", "moe")],
        [getattr(ws_m, k) for k in ("n", "sum", "min", "max", "sd", "deff", "moe")],
        rtol=RTOL,
    )
    pd.testing.assert_frame_equal(ws_d.margins, ws_m.margins, rtol=0, atol=1e-12)  # differences are ~0
    later_d, later_m = rd.subset("region != 'W'"), rm.subset("region != 'W'")
    assert_same(later_d.total("x", by="F_SEX"), later_m.total("x", by="F_SEX"))
    assert str(rd._history[-1]) == str(rm._history[-1])


def test_tables_equal_in_memory(dataset, client):
    mem, dsk = _pair(dataset, client, "strata and PSUs")
    mem, dsk = mem.rake({"F_AGECAT": MARGINS["F_AGECAT"]}), dsk.rake({"F_AGECAT": MARGINS["F_AGECAT"]})
    for base in ("valid", "all"):
        td, tm = dsk.topline("Q1", base=base, nets="auto"), mem.topline("Q1", base=base, nets="auto")
        assert_same_frame(td.to_frame(), tm.to_frame())
        assert (td.n, td.asked, td.total) == (tm.n, tm.asked, tm.total)
        assert td.summary() == tm.summary()
        cd, cm = (
            t.crosstab("Q1", "F_SEX", base=base, nets={"NET concerned": ["Very", "Somewhat"]}, min_n=50)
            for t in (dsk, mem)
        )
        assert_same_frame(cd.to_frame(), cm.to_frame())
        assert_same_frame(cd.pairs, cm.pairs)
        assert (cd.column_n, cd.df) == (cm.column_n, cm.df)
        np.testing.assert_allclose(cd.column_moe, cm.column_moe, rtol=RTOL)
        assert_same_test(cd.test, cm.test)
        assert cd.table().frame.equals(cm.table().frame)


@pytest.mark.parametrize(
    ("name", "ci"),
    [("strata and PSUs", "logit"), ("two stages with fpc", "beta"), ("JK1 mse", "logit"), ("JKn", "mean")],
)
def test_split_form_crosstab_one_df_equals_in_memory(dataset, client, name, ci):
    """A question asked of half the sample: the same one df, intervals, letters and test on both backends."""
    mem, dsk = _pair(dataset, client, name)
    for base in ("valid", "all"):
        cd, cm = (t.crosstab("Q2", "F_AGECAT", base=base, ci=ci, nets={"NET": ["Yes"]}, min_n=50) for t in (dsk, mem))
        assert cd.df == cm.df <= mem.degf
        if name == "strata and PSUs":
            assert (mem.degf, cm.df) == (24 - 6, 12 - 6)  # PSUs minus strata; half the PSUs were asked
        assert_same_frame(cd.to_frame(), cm.to_frame())
        assert_same_frame(cd.pairs, cm.pairs)
        assert_same_test(cd.test, cm.test)
        assert cm.test.df[1] == pytest.approx(cm.test.df[0] * cm.df, rel=1e-12)


def test_survey_of_a_dask_frame_and_csv_files(dataset, client, tmp_path):
    df, _, _ = dataset
    small = df[["stratum", "psu", "F_AGECAT", "region", "y", "x", "weight"]]
    dsk = pw.Survey(
        dd.from_pandas(small, npartitions=3),
        weights="weight",
        strata="stratum",
        psu="psu",
        scheduler=client,
        progress=False,
    )
    mem = pw.Survey(small, weights="weight", strata="stratum", psu="psu")
    assert_same(dsk.proportion("F_AGECAT", by="region"), mem.proportion("F_AGECAT", by="region"))
    plain = small.assign(F_AGECAT=small["F_AGECAT"].astype(str))
    for i, part in enumerate(np.array_split(np.arange(len(plain)), 3)):
        plain.iloc[part].to_csv(tmp_path / f"p{i}.csv", index=False)
    dcsv = pw.read(
        str(tmp_path / "p*.csv"),
        engine="dask",
        weights="weight",
        strata="stratum",
        psu="psu",
        scheduler=client,
        progress=False,
    )
    assert_same(
        dcsv.mean("y", by="F_AGECAT"),
        pw.Survey(plain, weights="weight", strata="stratum", psu="psu").mean("y", by="F_AGECAT"),
    )


def _csv_both_engines(frame: pd.DataFrame, tmp_path, client, **csv):
    """The survey of ``frame`` written as one CSV read in memory, and as three CSV parts read on Dask."""
    frame.to_csv(tmp_path / "all.csv", index=False, **csv)
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[part].to_csv(tmp_path / f"part{i}.csv", index=False, **csv)
    mem = pw.read(tmp_path / "all.csv", weights="weight")
    dsk = pw.read(str(tmp_path / "part*.csv"), engine="dask", weights="weight", scheduler=client, progress=False)
    return mem, dsk


def test_csv_text_answers_read_alike_by_both_engines(client, tmp_path):
    """A CSV's text scale (scale order), text "Refused" (out of every base) and IDs: the same on Dask."""
    rng = np.random.default_rng(21)
    n = 900
    agree = ["Strongly agree", "Agree", "Disagree", "Strongly disagree"]
    frame = pd.DataFrame(
        {
            "AGREE": rng.choice([*agree, "Refused"], n, p=[0.25, 0.3, 0.2, 0.2, 0.05]),
            "USED": rng.choice(["Yes", "No", "Refused"], n, p=[0.5, 0.42, 0.08]),
            "PARTY": rng.choice(["Republican", "Democrat", "Independent", "Refused"], n),
            "ID": [f"R{i:05d}" for i in range(n)],  # more answers than a question has: stays text
            "weight": rng.uniform(0.3, 3.0, n),
        }
    )
    mem, dsk = _csv_both_engines(frame, tmp_path, client)
    cols = ["name", "type", "levels", "missing_codes"]
    pd.testing.assert_frame_equal(dsk.codebook()[cols], mem.codebook()[cols])
    assert mem.codebook().set_index("name").loc["AGREE", "levels"] == "; ".join([*agree, "Refused"])
    for var in ("AGREE", "USED"):
        assert_same(dsk.topline(var, nets="auto"), mem.topline(var, nets="auto"))
        assert dsk.topline(var).n == mem.topline(var).n == int((frame[var] != "Refused").sum())
        assert_same(dsk.crosstab(var, "PARTY"), mem.crosstab(var, "PARTY"))
    assert mem.topline("AGREE").to_frame()["level"].tolist() == agree
    back = dsk.collect()  # the in-memory copy keeps the scale's order
    assert_same(back.topline("AGREE"), mem.topline("AGREE"))


def test_semicolon_csv_with_decimal_commas_reads_alike_by_both_engines(client, tmp_path):
    rng = np.random.default_rng(43)
    n = 600
    frame = pd.DataFrame(
        {
            "USED": rng.choice(["Yes", "No", "Refused"], n, p=[0.5, 0.45, 0.05]),
            "PARTY": rng.choice(["Republican", "Democrat", "Independent"], n),
            "weight": rng.uniform(0.3, 3.0, n).round(5),
        }
    )
    mem, dsk = _csv_both_engines(frame, tmp_path, client, sep=";", decimal=",")
    assert list(dsk.codebook()["name"]) == ["USED", "PARTY", "weight"]
    assert_same(dsk.crosstab("USED", "PARTY"), mem.crosstab("USED", "PARTY"))
    valid = frame["USED"] != "Refused"
    yes = frame["weight"][valid & (frame["USED"] == "Yes")].sum() / frame["weight"][valid].sum()
    assert dsk.topline("USED").to_frame().set_index("level").loc["Yes", "estimate"] == pytest.approx(yes, rel=1e-10)


def test_csv_skip_answers_are_not_asked_by_both_engines(client, tmp_path):
    """A CSV exported from a file with skip codes: "Legitimate skip" / "Inapplicable" text is blank in both."""
    rng = np.random.default_rng(41)
    n = 900
    agree = ["Strongly agree", "Agree", "Disagree", "Strongly disagree"]
    frame = pd.DataFrame(
        {
            "AGREE": rng.choice([*agree, "Refused", "Inapplicable"], n, p=[0.2, 0.25, 0.2, 0.15, 0.05, 0.15]),
            "USED": rng.choice(["Yes", "No", "Refused", "Legitimate skip"], n, p=[0.4, 0.3, 0.05, 0.25]),
            "PARTY": rng.choice(["Republican", "Democrat", "Independent"], n),
            "weight": rng.uniform(0.3, 3.0, n),
        }
    )
    mem, dsk = _csv_both_engines(frame, tmp_path, client)
    assert mem.data["USED"].isna().to_numpy().tolist() == (frame["USED"] == "Legitimate skip").tolist()
    assert list(mem.data["AGREE"].cat.categories) == [*agree, "Refused"]
    for var, skip in (("AGREE", "Inapplicable"), ("USED", "Legitimate skip")):
        asked = frame[var] != skip
        tm, td = mem.topline(var, base="all"), dsk.topline(var, base="all")
        assert_same(td, tm)
        assert tm.asked == td.asked == int(asked.sum()) and skip not in tm.to_frame()["level"].tolist()
        w = frame["weight"][asked]
        refused = tm.to_frame().set_index("level").loc["Refused", "estimate"]
        assert refused == pytest.approx(w[frame[var][asked] == "Refused"].sum() / w.sum(), rel=1e-12)
        assert_same(dsk.crosstab(var, "PARTY", base="all"), mem.crosstab(var, "PARTY", base="all"))
    for cond in ("isna(USED)", "notna(USED)", "USED != 'Yes'"):  # conditions see the skips as blank too
        assert dsk.subset(cond).n == mem.subset(cond).n
    assert mem.subset("isna(USED)").n == int(frame["USED"].isin(["Legitimate skip", "Refused"]).sum())
    back = dsk.collect()
    assert back.data["USED"].isna().sum() == int((frame["USED"] == "Legitimate skip").sum())
    assert_same(back.topline("USED", base="all"), mem.topline("USED", base="all"))
    kept = pw.read(tmp_path / "all.csv", weights="weight", missing="keep")
    assert "Legitimate skip" in kept.topline("USED").to_frame()["level"].tolist()


def test_large_sav_read_in_row_blocks(tmp_path, client):
    demo = pw.demo()
    path = demo.to_sav(tmp_path / "demo.sav")
    mem = pw.read(path)
    dsk = pw.read(path, engine="dask", chunk_rows=1000, scheduler=client, progress=False)
    assert dsk.npartitions == 5
    assert dsk.question("CONCERNCO") == mem.question("CONCERNCO")
    assert_same(dsk.proportion("CONCERNCO", by="F_PARTYSUM_FINAL"), mem.proportion("CONCERNCO", by="F_PARTYSUM_FINAL"))
    td, tm = dsk.topline("CONCERNCO", base="all"), mem.topline("CONCERNCO", base="all")
    assert_same_frame(td.to_frame(), tm.to_frame())


def test_skip_codes_read_as_not_asked_in_row_blocks(tmp_path, client):
    """'Legitimate skip' and declared 'IAP' codes are blank in every row block, as in memory."""
    from tests.io.test_io import _skip_file

    frame = _skip_file(tmp_path / "skips.sav")
    mem = pw.read(tmp_path / "skips.sav", weights="weight")
    dsk = pw.read(
        tmp_path / "skips.sav", engine="dask", weights="weight", chunk_rows=150, scheduler=client, progress=False
    )
    assert dsk.npartitions == 4
    for var in ("Q2", "Q3"):
        td, tm = dsk.topline(var, base="all"), mem.topline(var, base="all")
        assert_same_frame(td.to_frame(), tm.to_frame())
        assert td.asked == tm.asked == int((frame[var].notna() & (frame[var] != -1)).sum())
        assert_same(dsk.crosstab(var, "VOTE", base="all"), mem.crosstab(var, "VOTE", base="all"))
    assert dsk.codebook().set_index("name").loc["Q2", "missing_codes"] == "-1; 9"


def test_collect_and_sample_replay_subsets_and_raking(dataset, client):
    mem, dsk = _pair(dataset, client, "strata and PSUs")
    rd = dsk.subset("F_SEX != 'Refused'").rake(MARGINS)
    rm = mem.subset("F_SEX != 'Refused'").rake(MARGINS)
    back = rd.collect()
    assert isinstance(back, pw.Survey)
    assert_same(back.proportion("Q1", by="F_AGECAT"), rm.proportion("Q1", by="F_AGECAT"))
    part = dsk.sample(0.5, seed=1)
    assert isinstance(part, pw.Survey) and 0 < part.n < mem.n


def test_lonely_row_stratum_fails_as_in_memory(dataset, client):
    df, folder, _ = dataset
    dsk = pw.read(str(folder), engine="dask", weights="weight", strata="stratum_rows", scheduler=client, progress=False)
    mem = pw.Survey(df, weights="weight", strata="stratum_rows")
    with pytest.raises(pw.DesignError, match="has only one PSU"):
        mem.mean("x")
    # the stratum is named by its value in the data (9), as the files show it
    with pytest.raises(pw.DesignError, match=r"^stratum 9 \(stage 1\) has only one PSU; pass lonely_psu='adjust'"):
        dsk.mean("x")


def test_active_client_is_used_and_codebook_knows_categories(dataset, client):
    _, folder, _ = dataset
    with client.as_current():
        dsk = pw.read(str(folder), engine="dask", weights="weight", progress=False)
    assert dsk._backend._client is client
    book = dsk.codebook().set_index("name")
    assert book.loc["Q1", "levels"] == "Very; Somewhat; Not too; Not at all; Refused"
    assert dsk._codebook.variables["Q1"].missing == ("Refused",)


def test_what_needs_all_rows_says_how_to_subsample_or_collect(dataset, client):
    _, dsk = _pair(dataset, client, "weights only")
    for call in (
        lambda: dsk.quantile("y", 0.5),
        lambda: dsk.hist("y"),
        lambda: dsk.boxplot("y", by="F_SEX"),
        lambda: dsk.logit("Q1 in ['Very'] ~ F_SEX"),
        lambda: dsk.calibrate({}),
    ):
        with pytest.raises(EstimationError, match=r"partitioned.*collect\(\).*sample\(frac"):
            call()
    with pytest.raises(AttributeError):
        dsk.no_such_method
    # the weight summary works partitioned, but its distribution figure needs the weights (#14)
    from pewlike.plots import weights_plot

    ws = dsk.weight_summary()
    assert ws.bins is None and ws.deff > 1
    with pytest.raises(EstimationError, match=r"partitioned.*collect\(\).*sample\(frac"):
        weights_plot(ws)


def test_scheduler_address_and_progress_on_stderr(dataset, client, capfd):
    df, folder, _ = dataset
    dsk = pw.read(str(folder), engine="dask", weights="weight", scheduler=client.scheduler.address, progress=True)
    assert dsk._backend._client is not client and dsk._backend._client.scheduler.address == client.scheduler.address
    capfd.readouterr()
    got = dsk.mean("x")
    out, err = capfd.readouterr()
    assert "Completed" in err and "Completed" not in out
    assert_same(got, pw.Survey(df, weights="weight").mean("x"))
    dsk._backend._client.close()


# --------------------------------------------------------------------------- bad input
def test_glob_matching_no_file_is_named(tmp_path):
    with pytest.raises(pw.DataFileError, match=r"'.*nothing-\*\.parquet' matches no files"):
        pw.read(str(tmp_path / "nothing-*.parquet"), engine="dask")


def test_partition_with_other_columns_or_types_is_named(tmp_path):
    good = pd.DataFrame({"weight": [1.0, 2.0], "q": ["a", "b"], "y": [1, 2]})
    good.to_parquet(tmp_path / "a.parquet")
    good.drop(columns="y").to_parquet(tmp_path / "b.parquet")
    with pytest.raises(pw.DataFileError, match=r"b\.parquet: columns differ from a\.parquet .*missing \['y'\]"):
        pw.read(str(tmp_path / "*.parquet"), engine="dask", weights="weight")
    good.assign(y=["1", "2"]).to_parquet(tmp_path / "b.parquet")
    with pytest.raises(pw.DataFileError, match=r"b\.parquet: column 'y' is stored as string but as int64"):
        pw.read(str(tmp_path / "*.parquet"), engine="dask", weights="weight")


def test_weight_column_missing_in_one_partition_is_named(tmp_path):
    good = pd.DataFrame({"wt": [1.0, 2.0], "q": ["a", "b"]})
    good.to_parquet(tmp_path / "a.parquet")
    good.drop(columns="wt").assign(other=1.0).to_parquet(tmp_path / "b.parquet")
    with pytest.raises(pw.DataFileError, match=r"b\.parquet: weight column 'wt' is missing in this file"):
        pw.read(str(tmp_path / "*.parquet"), engine="dask", weights="wt")


def test_csv_partition_with_another_type_is_named(tmp_path):
    pd.DataFrame({"w": [1.0, 2.0], "y": [1, 2]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"w": [1.0, 2.0], "y": ["x", "z"]}).to_csv(tmp_path / "b.csv", index=False)
    dsk = None
    with pytest.raises(pw.DataFileError, match=r"b\.csv: column 'y' has type"):
        dsk = pw.read(str(tmp_path / "*.csv"), engine="dask", weights="w", progress=False)
        dsk.mean("y")
    assert dsk is None or dsk.n


def test_bad_weights_are_counted_across_partitions(tmp_path):
    pd.DataFrame({"w": [1.0, -2.0], "y": [1.0, 2.0]}).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({"w": [np.nan, -1.0], "y": [1.0, 2.0]}).to_parquet(tmp_path / "b.parquet")
    with pytest.raises(pw.DesignError, match="weight column 'w' has 1 missing, 2 negative value"):
        pw.read(str(tmp_path / "*.parquet"), engine="dask", weights="w", progress=False)


def test_unreachable_scheduler_fails_fast_with_the_address(tmp_path):
    import time

    pd.DataFrame({"w": [1.0, 2.0]}).to_parquet(tmp_path / "a.parquet")
    start = time.monotonic()
    with pytest.raises(PewlikeError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9 within 2 s"):
        pw.read(str(tmp_path / "a.parquet"), engine="dask", weights="w", scheduler="tcp://127.0.0.1:9", timeout=2)
    assert time.monotonic() - start < 30


def test_unknown_engine_is_refused(tmp_path):
    with pytest.raises(pw.DesignError, match="engine='spark' is not valid"):
        pw.read(tmp_path / "x.parquet", engine="spark")


@pytest.mark.parametrize(
    ("name", "cls", "summary"),
    [
        ("weights only", "RowSums", "independent sampling"),
        ("strata, rows as units, fpc", "RowSums", "independent sampling, 6 strata"),
        ("strata and PSUs", "ClusteredSums", "1-stage cluster sample ("),
        ("two stages with fpc", "ClusteredSums", "2-stage cluster sample ("),
        ("SDR", "ReplicateSums", "replicate weights (SDR, "),
    ],
)
def test_variance_strategy_is_chosen_once_per_design(dataset, client, name, cls, summary):
    import pickle

    from pewlike.partitioned import strategy

    _mem, dsk = _pair(dataset, client, name)
    d = dsk._backend._ddesign
    assert type(d.variance).__name__ == cls
    assert isinstance(d.variance, strategy.PartitionedVariance)
    # subsets and raking keep the design, hence the strategy chosen when it was built
    later = dsk.subset("region != 'W'").rake({"F_AGECAT": MARGINS["F_AGECAT"]})
    assert later._backend._ddesign.variance is d.variance
    assert type(pickle.loads(pickle.dumps(d)).variance).__name__ == cls  # partitions receive it pickled
    first = dsk.design.splitlines()[0]
    assert summary in first
    # stratified cluster designs name their strata, as the in-memory description does
    assert (", 6 strata)" in first) == (cls == "ClusteredSums")


@pytest.mark.parametrize("name", ["strata, rows as units, fpc", "PSUs nested in strata", "two stages with fpc", "JKn"])
def test_one_estimator_body_serves_both_backends(dataset, client, name):
    from pewlike.estimation.backend import WeightedTotals
    from pewlike.estimation.memory import InMemoryTotals
    from pewlike.partitioned.totals import PartitionedTotals

    mem, dsk = _pair(dataset, client, name)
    wt_d, wt_m = dsk._backend.weighted_totals(), InMemoryTotals(mem._backend)
    assert isinstance(wt_d, PartitionedTotals) and isinstance(wt_d, WeightedTotals) and isinstance(wt_m, WeightedTotals)
    assert wt_d.design_label() == wt_m.design_label()
    assert_same(dsk.mean("y", by="F_SEX", na_rm=False), mem.mean("y", by="F_SEX", na_rm=False))
    assert_same(dsk.total("y", by="region", na_rm=False), mem.total("y", by="region", na_rm=False))
    assert_same(dsk.total("Q1", by="F_SEX"), mem.total("Q1", by="F_SEX"))
    assert_same(dsk.ratio("y", "x", by="region", na_rm=False), mem.ratio("y", "x", by="region", na_rm=False))
    assert_same(dsk.proportion("Q1", by="region", ci="xlogit"), mem.proportion("Q1", by="region", ci="xlogit"))
    # the NaN of na_rm=False is where a domain has a missing value, on both backends
    nan_d = np.isnan(dsk.mean("y", by="F_SEX", na_rm=False).estimate)
    assert nan_d.any() and np.array_equal(nan_d, np.isnan(mem.mean("y", by="F_SEX", na_rm=False).estimate))
