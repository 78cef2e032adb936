"""Build a report from a spec: toplines, crosstabs, comparisons, models, weighting -> files.

:func:`build` reads the data, checks every variable the spec names (so a typo
fails before anything is written), computes the results, draws the figures and
writes everything into a staging folder next to the output folder, which then
replaces the previous report (see :mod:`pewlike.report.outdir`: a crash at any
point leaves the old or the new report; concurrent builds take turns).  A
failed build leaves the previous report untouched; a failing model or weighting
summary is reported in the report and the rest still builds.  Only the files
pewlike wrote are replaced: the manifest ``.pewlike-manifest.json`` lists them,
and files a user added to the folder are carried over (see
:mod:`pewlike.report.manifest`).

Output (relative to the output folder): ``index.html`` (self-contained),
``report.md``, ``tables/<name>.{csv,md,html}``, ``tables/data/<name>*.csv``
(the estimates, full precision), ``tables/tables.xlsx``,
``figures/<name>.{png,svg}``.  Bytes are reproducible: no clock, fixed
metadata, stable ordering (``SOURCE_DATE_EPOCH`` dates the workbook and is
printed in the footer when set).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pewlike.errors import EstimationError, PewlikeError, SpecError, VariableError
from pewlike.report.html import (
    Block,
    BuiltSection,
    FailureBlock,
    PendingBlock,
    ReportDoc,
    TableBlock,
    finished_blocks,
    render_html,
    render_markdown,
)
from pewlike.report.labelspec import apply_labels, declare_scales
from pewlike.report.lock import locked
from pewlike.report.manifest import MANIFEST, MARKER, carry_over, check_edited, write_manifest
from pewlike.report.outdir import (
    check_existing,
    check_target,
    clean_leftovers,
    expand,
    inside,
    new_staging,
    swap,
)
from pewlike.report.spec import DEMO_DATA, Spec
from pewlike.report.universe import EmptyUniverse, data_universe, in_universe, prepare
from pewlike.report.workers import (
    FIGURE_FORMATS,
    Done,
    FigureFuture,
    FigureJob,
    FigurePool,
    Pending,
    draw,
    figure_pool,
    job_count,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.report.figcache import FigureCache
    from pewlike.report.itemcache import ItemCache
    from pewlike.report.reportcache import ReportCache
    from pewlike.report.schema import Item, Nets, WeightingSpec
    from pewlike.survey import Base, Survey
    from pewlike.tables.crosstabs import Crosstab
    from pewlike.tables.export import TableDoc
    from pewlike.tables.toplines import Topline

__all__ = ["MANIFEST", "MARKER", "BuildResult", "build"]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: the folder, the files (relative, sorted), failed sections, timing.

    ``files`` lists what pewlike wrote, not the files a user added to the folder (carried
    over); ``tables_dir`` and ``figures_dir`` are the spec's folders for them.
    """

    out: Path
    files: tuple[str, ...]
    failures: tuple[str, ...]
    seconds: float
    tables_dir: str = "tables"
    figures_dir: str = "figures"

    def summary(self) -> str:
        """One paragraph for the terminal."""
        tdir, fdir = PurePosixPath(self.tables_dir), PurePosixPath(self.figures_dir)
        paths = [PurePosixPath(f) for f in self.files]
        n_tab = sum(1 for p in paths if p.parent == tdir and p.suffix == ".csv")
        n_fig = len({p.stem for p in paths if p.parent == fdir and p.suffix in (".png", ".svg")})
        lines = [
            f"Wrote {self.out}/ in {self.seconds:.1f} s: {len(self.files)} files, {n_tab} tables, {n_fig} figures."
        ]
        for name in ("index.html", "report.md", "tables/tables.xlsx"):
            if name in self.files:
                lines.append(f"  {self.out / name}")
        for f in self.failures:
            lines.append(f"  NOT BUILT: {f}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# the build
# ---------------------------------------------------------------------------
def build(
    spec: Spec,
    *,
    out: str | os.PathLike[str] | None = None,
    data: str | None = None,
    echo: Callable[[str], None] | None = None,
    jobs: int | None = None,
    cache: bool | str | os.PathLike[str] = True,
) -> BuildResult:
    """Build the report described by ``spec``.

    Parameters
    ----------
    spec : Spec
        From :func:`pewlike.report.spec.load` (or the demo spec).
    out : path, optional
        Output folder, anywhere (``~`` is expanded); default: the spec's
        ``[output] dir``, relative to the spec's folder and inside it.
    data : str, optional
        Data file replacing the spec's ``[data] file``.
    echo : callable, optional
        Receives progress lines.
    jobs : int, optional
        Processes drawing figures (default: up to 2, one per CPU); the files
        are the same whatever the number.
    cache : bool or path, default True
        Reuse reports and figures of earlier builds (see :mod:`pewlike.report.reportcache`
        and :mod:`pewlike.report.figcache`): True: the user cache folder; a path: that
        folder; False: compute and draw everything.  The files are the same either way.

    Returns
    -------
    BuildResult

    Raises
    ------
    DataFileError, SpecError, PewlikeError
        Missing or unreadable data, variables not in the data, an output
        folder that cannot be written or used (the current folder, a symbolic
        link, a folder pewlike did not write, one holding the data or the spec,
        a name or path too long), a file pewlike wrote that was changed since,
        a file the user added where the new report writes one, ``data`` given for a
        spec of several waves.  The previous report is then untouched.

    Notes
    -----
    A rebuild replaces only the files the folder's manifest lists; the files a
    user added are carried over.  A crash at any moment leaves the old or the
    new report, and the next build removes what it left (see
    :mod:`pewlike.report.outdir`).

    No R survey equivalent (R reports are written by hand in R Markdown or Quarto).

    Examples
    --------
    >>> from pewlike.report.build import build
    >>> from pewlike.report.demo import demo_spec
    >>> print(build(demo_spec(), out="pewlike-report").summary())  # doctest: +SKIP
    Wrote pewlike-report/ in 30.6 s: 283 files, 33 tables, 19 figures.
    ...
    """
    if data is not None and spec.waves:  # which wave would it replace? the stack reads every [[data]] file
        raise SpecError(
            f"{spec.label}: --data replaces the data file of a one-file spec, but this spec has "
            f"{len(spec.waves)} waves ([[data]] tables); change their file = ... in the spec instead"
        )
    say = echo or (lambda _msg: None)
    t0 = time.perf_counter()
    n_jobs = job_count(jobs)
    target, shown = _target(spec, out, data)
    figcache = _figure_cache(cache)
    reports, rkey = _report_cache(figcache, spec, data)
    reused = _from_report_cache(reports, rkey, target, say) if reports is not None and rkey else None
    if reused is not None:
        return BuildResult(
            shown, reused[0], reused[1], time.perf_counter() - t0, spec.output.tables_dir, spec.output.figures_dir
        )
    svy, source = _load(spec, data)
    svy, spec = prepare(spec, svy)  # [[derive]], filters checked, "Among <universe>" headings
    svy = declare_scales(spec.label, (spec.data,), svy)
    svy = apply_labels(spec.label, spec.labels, svy)
    say(f"pewlike report: {source} ({svy.n:,} respondents)")
    _check_variables(spec, svy)
    staging = new_staging(target)
    writer = _Writer(staging, spec, source, say, jobs=n_jobs)
    writer.figcache = figcache
    writer.items = _item_cache(figcache, reports, spec, data)
    try:
        with locked(target):
            for line in clean_leftovers(target):
                say(f"  {line}")
        svy, wsection = _weighting(writer, spec, svy)
        svy = data_universe(spec, svy)  # after weighting: the whole sample's weights, the full design
        doc = writer.run(svy, wsection)
        files = writer.finish(doc)
        if reports is not None and rkey:
            reports.store(rkey, staging, files, writer.failures)
        write_manifest(staging, files)
        with locked(target):
            check_existing(target)
            kept = carry_over(target, staging)
            swap(staging, target)
        if kept:
            say(f"  kept {len(kept)} file(s) you added: {', '.join(kept[:3])}{' ...' if len(kept) > 3 else ''}")
    except BaseException as exc:
        writer.close()
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, PewlikeError):  # disk full, permissions, path limits
            where = f" ({exc.filename})" if exc.filename else ""
            raise PewlikeError(
                f"cannot write the report to {str(target)!r}: {exc.strerror or exc}{where}; "
                "choose another --out folder (writable, with free space and a shorter path)"
            ) from None
        raise
    return BuildResult(
        shown,
        tuple(files),
        tuple(writer.failures),
        time.perf_counter() - t0,
        spec.output.tables_dir,
        spec.output.figures_dir,
    )


def _figure_cache(cache: bool | str | os.PathLike[str]) -> FigureCache | None:
    from pewlike.report.figcache import FigureCache, default_cache_dir

    if cache is False:
        return None
    return FigureCache(default_cache_dir() if cache is True else cache)


def _item_cache(
    figcache: FigureCache | None, reports: ReportCache | None, spec: Spec, data: str | None
) -> ItemCache | None:
    """The per-item cache (:mod:`pewlike.report.itemcache`) keyed on this build's context; None without a cache."""
    if figcache is None or reports is None:
        return None
    from pewlike.report.itemcache import ItemCache

    items = ItemCache(figcache)
    items.set_context(reports, spec, *_cached_data(spec, data))
    return items


def _cached_data(spec: Spec, data: str | None) -> tuple[str, str]:
    """The data file a build reads and the name the report shows for it."""
    path = data or spec.data_path()
    if path == DEMO_DATA:
        return str(Path(__file__).resolve().parent.parent / "datasets" / "privacy_survey_demo.sav"), (
            "privacy_survey_demo.sav"
        )
    return path, Path(path).name


def _report_cache(figcache: FigureCache | None, spec: Spec, data: str | None) -> tuple[ReportCache | None, str | None]:
    """The report cache beside the figure cache, and this build's key (None: not cacheable)."""
    if figcache is None:
        return None, None
    from pewlike.report.reportcache import ReportCache

    reports = ReportCache(figcache)
    return reports, reports.key(spec, *_cached_data(spec, data))


def _from_report_cache(
    cache: ReportCache, key: str, target: Path, say: Callable[[str], None]
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Write a report stored by an earlier build of the same spec, data and pewlike; None when there is none."""
    found = cache.load(key)
    if found is None:
        return None
    parts, failures = found
    say("pewlike report: unchanged spec, data and pewlike: the report built before is written again")
    staging = new_staging(target)
    try:
        with locked(target):
            for line in clean_leftovers(target):
                say(f"  {line}")
        for rel, content in parts.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        files = sorted(parts)
        write_manifest(staging, files)
        with locked(target):
            check_existing(target)
            carry_over(target, staging)
            swap(staging, target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, PewlikeError):
            return None  # the full build reports what cannot be written
        raise
    return tuple(files), failures


def _target(spec: Spec, out: str | os.PathLike[str] | None, data: str | None) -> tuple[Path, Path]:
    """The report folder, checked, and as the user knows it.

    ``out`` (``--out``) as given, else the spec's ``[output] dir`` inside the spec's folder.
    """
    if out is not None:
        shown = os.fspath(out)
        display = expand(out)
    else:
        shown = spec.output.dir
        display = Path(spec.output.dir) if spec.path is None else _from_cwd(spec.base_dir / spec.output.dir)
        if not inside(spec.base_dir / spec.output.dir, spec.base_dir):
            raise SpecError(
                f"{spec.label}: [output]: dir = {shown!r} leads outside the spec's folder (through a symbolic link); "
                "give a folder inside it, or an --out on the command line"
            )
        out = spec.base_dir / spec.output.dir
    inputs = [("spec file", spec.path)] if spec.path else []
    path = data or spec.data_path()
    if path != DEMO_DATA:
        inputs.append(("data file", path))
    for wd in spec.waves[1:]:  # the other waves' files ([[data]] tables) are inputs too
        if not wd.data.file.startswith(DEMO_DATA):
            p = Path(wd.data.file).expanduser()
            inputs.append((f"data file of wave {wd.wave!r}", str(p if p.is_absolute() else spec.base_dir / p)))
    target = check_target(out, inputs=inputs, shown=shown)
    check_edited(target)  # fail now, not after the build, when a file pewlike wrote was changed
    return target, display


def _from_cwd(path: Path) -> Path:
    """``path`` relative to the working folder when it lies inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _load(spec: Spec, data: str | None) -> tuple[Survey, str]:
    from pewlike.loading import demo, read
    from pewlike.report.advice import for_spec

    opts = spec.data.read_options()
    path = data or spec.data_path()
    try:
        if path == DEMO_DATA:
            return demo(**opts), "privacy_survey_demo.sav"
        return read(path, **opts), Path(path).name
    except PewlikeError as exc:  # the advice said as spec keys ([data] missing_weights = "drop")
        raise type(exc)(for_spec(str(exc))) from None


def _where(spec: Spec, where: str, exc: Exception) -> SpecError:
    from pewlike.report.advice import for_spec

    return SpecError(f"{spec.label}: {where}: {for_spec(str(exc))}")


def _check_variables(spec: Spec, svy: Survey) -> None:
    """Every question and demographic named exists and is categorical; errors name their place."""
    from pewlike.design.frame import frame_of
    from pewlike.tables.toplines import categorical_column

    checks = [(t.where, t.var) for t in spec.toplines]
    checks += [(c.where, v) for c in spec.crosstabs for v in (c.var, *c.by)]
    checks += [(c.where, v) for c in spec.compares for v in (*c.vars, *c.by)]
    checks += [("[defaults] by", v) for v in spec.defaults.by]
    for where, var in checks:
        try:
            categorical_column(frame_of(svy), var, "a table")
        except VariableError as exc:
            raise _where(spec, where, exc) from None
    from pewlike.estimation.distribution import numeric_column

    for dist in spec.distributions:
        for var in dist.by:
            try:
                categorical_column(frame_of(svy), var, "a group of a distribution")
            except VariableError as exc:
                raise _where(spec, dist.where, exc) from None
        try:
            numeric_column(frame_of(svy), dist.var, "a distribution")
        except VariableError as exc:
            raise _where(spec, dist.where, exc) from None
    from pewlike.estimation.indicators import battery_columns

    for sa in spec.select_alls:
        try:
            battery_columns(frame_of(svy), sa.items, "[[select_all]]")
            for var in sa.by:
                categorical_column(frame_of(svy), var, "a group of a select-all battery")
        except (VariableError, EstimationError) as exc:
            raise _where(spec, sa.where, exc) from None
    for grid in spec.grids:
        try:
            for var in grid.items:
                categorical_column(frame_of(svy), var, "a grid")
        except VariableError as exc:
            raise _where(spec, grid.where, exc) from None
    for m in spec.models:
        for var in m.effects:
            try:
                svy.column(var)
            except VariableError as exc:
                raise _where(spec, m.where, exc) from None


def _weighting(writer: _Writer, spec: Spec, svy: Survey) -> tuple[Survey, WeightingSpec | None]:
    """Rake when the spec asks (a failure stops the build); the summary section is built later."""
    w = spec.weighting
    if w is None or not w.rake:
        return svy, w
    writer.say(f"  raking to {len(w.rake)} margins")
    try:
        return svy.rake(dict(w.rake)), w
    except PewlikeError as exc:
        raise _where(spec, w.where, exc) from None


class _Clash(SpecError):
    """Two outputs of one report at one path (reported even for a model, whose other failures are not fatal)."""


# ---------------------------------------------------------------------------
# the writer: computes each item and writes its files into the staging folder
# ---------------------------------------------------------------------------
class _Writer:
    def __init__(self, root: Path, spec: Spec, source: str, say: Callable[[str], None], jobs: int = 1) -> None:
        self.root, self.spec, self.source, self.say = root, spec, source, say
        self.formats = set(spec.output.formats)
        self.tdir, self.fdir = spec.output.tables_dir, spec.output.figures_dir
        self.docs: list[TableDoc] = []
        self.failures: list[str] = []
        self.cache: dict[tuple[Any, ...], Any] = {}
        self.synthetic = spec.data.synthetic
        self.jobs = jobs
        self.pool: FigurePool | None = figure_pool(jobs) if jobs > 1 else None  # ready by the first figure
        self.figcache: FigureCache | None = None
        self.to_keep: list[tuple[str, str, tuple[str, ...], Pending]] = []  # drawn figures for the cache
        self.claimed = {MARKER.casefold(), MANIFEST.casefold()}  # paths written so far, ignoring case
        self.items: ItemCache | None = None
        self.claim_log: list[str] = []  # paths written so far, in order (an item's files for the item cache)
        self.computed: list[tuple[str, list[Any], int, int, int, int]] = []  # items to keep in the item cache

    # -- results (cached: comparisons reuse the crosstabs) -------------------------------
    def topline(self, svy: Survey, var: str, base: Base, nets: Nets) -> Topline:
        key = ("t", var, base, repr(nets))
        if key not in self.cache:
            self.cache[key] = svy.topline(var, base=base, nets=nets, level=self.spec.defaults.level)
        result: Topline = self.cache[key]
        return result

    def crosstabs(
        self,
        svy: Survey,
        var: str,
        by: Sequence[str],
        base: Base,
        nets: Nets,
        min_n: int,
        letters: bool,
        adjust: str,
    ) -> list[Crosstab]:
        total = self.topline(svy, var, base, nets)
        out: list[Crosstab] = []
        for b in by:
            key = ("x", var, b, base, repr(nets), min_n, letters, adjust)
            if key not in self.cache:
                self.cache[key] = svy.crosstab(
                    var,
                    b,
                    base=base,
                    nets=nets,
                    min_n=min_n,
                    letters=letters,
                    adjust=adjust,
                    alpha=self.spec.defaults.alpha,
                    level=self.spec.defaults.level,
                    total=total,
                )
            out.append(self.cache[key])
        return out

    # -- files ------------------------------------------------------------------------
    def _claim(self, folder: str, name: str) -> Path:
        """The path of a file about to be written; two outputs at one path (any case) are refused."""
        rel = PurePosixPath(folder, name).as_posix()
        if rel.casefold() in self.claimed:
            raise _Clash(
                f"two outputs of the report would be written to {rel!r}; give the items different names "
                '(name = "..."; names differing only in case count as one)'
            )
        self.claimed.add(rel.casefold())
        self.claim_log.append(rel)
        return self.root / rel

    def _file(self, rel: str, data: bytes) -> str:
        from pewlike.tables.export import atomic_write

        atomic_write(self._claim(".", rel), data)
        return rel

    def table(self, doc: TableDoc, data_frames: Sequence[tuple[str, pd.DataFrame]] = ()) -> TableBlock:
        """Write a table's CSV/MD/HTML (and its estimates) and return its block."""
        from pewlike.tables.export import write_csv

        self.docs.append(doc)
        links: list[tuple[str, str]] = []
        if "csv" in self.formats:
            guard = self.spec.output.formula_guard
            write_csv(doc.frame, self._claim(self.tdir, f"{doc.name}.csv"), formula_guard=guard)
            links.append(("CSV", f"{self.tdir}/{doc.name}.csv"))
            for suffix, frame in data_frames:
                write_csv(frame, self._claim(f"{self.tdir}/data", f"{doc.name}{suffix}.csv"), formula_guard=guard)
        if "md" in self.formats:
            from pewlike.tables.export import write_markdown

            write_markdown(doc, self._claim(self.tdir, f"{doc.name}.md"))
            links.append(("Markdown", f"{self.tdir}/{doc.name}.md"))
        if "html" in self.formats:
            from pewlike.report.html import CSS
            from pewlike.tables.export import write_html

            write_html(doc, self._claim(self.tdir, f"{doc.name}.html"), css=CSS)
            links.append(("HTML", f"{self.tdir}/{doc.name}.html"))
        return TableBlock(doc, tuple(links))

    def figure(self, kind: str, name: str, alt: str, *args: Any, **kwargs: Any) -> Pending:
        """Queue a figure: ``pewlike.plots.<kind>(*args, **kwargs)`` drawn and saved, in a worker when possible."""
        fmts = tuple(f for f in FIGURE_FORMATS if f in self.formats)
        for f in fmts:
            self._claim(self.fdir, f"{name}.{f}")
        job: FigureJob = (kind, args, kwargs, str(self.root / self.fdir / name), fmts, "html" in self.formats)
        links = tuple((f.upper(), f"{self.fdir}/{name}.{f}") for f in fmts)
        pending = Pending(name, alt, f"{self.fdir}/{name}.png" if "png" in fmts else "", links)
        key = self.figcache.key(job) if self.figcache is not None else None
        pending.future = self._from_cache(key, job) if key else None
        if pending.future is None:
            pending.future = self._submit(job)
            if key:
                self.to_keep.append((key, job[3], fmts, pending))
        return pending

    def _from_cache(self, key: str, job: FigureJob) -> Done | None:
        """A figure drawn by an earlier build: its files written from the cache, its PNG for the page."""
        from pewlike.tables.export import atomic_write

        assert self.figcache is not None  # only called with a key
        parts = self.figcache.load(key)
        fmts, want_png = job[4], job[5]
        if (
            parts is None
            or any(f not in parts for f in fmts)
            or (want_png and "png" not in fmts and "inline" not in parts)
        ):
            return None
        for f in fmts:
            atomic_write(Path(f"{job[3]}.{f}"), parts[f])
        return Done(parts["png"] if "png" in fmts else parts.get("inline", b"") if want_png else b"")

    def _keep_drawn(self) -> None:
        """Store the figures drawn in this build in the cache (those that were drawn without error)."""
        assert self.figcache is not None  # only called with a cache
        for key, stem, fmts, pending in self.to_keep:
            try:
                png = pending.future.result() if pending.future is not None else b""
                parts = {f: Path(f"{stem}.{f}").read_bytes() for f in fmts}
            except Exception:  # reported in the report already; nothing to keep
                continue
            if "png" not in fmts and png:
                parts["inline"] = png
            self.figcache.store(key, parts)

    def _submit(self, job: FigureJob) -> FigureFuture:
        if self.jobs > 1 and self.pool is None:
            self.pool = figure_pool(self.jobs)
        if self.pool is None:
            try:
                return Done(draw(job))
            except Exception as exc:
                return Done(error=exc)
        return self.pool.submit(job)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None

    # -- the run ------------------------------------------------------------------------
    def run(self, svy: Survey, wsection: WeightingSpec | None) -> ReportDoc:
        from pewlike._version import __version__
        from pewlike.plots import source_line
        from pewlike.report.items import ITEM_BUILDERS, methods_blocks, weighting_blocks
        from pewlike.tables.export import fixed_datetime

        spec = self.spec
        sections = {s.id: BuiltSection(s.id, s.title, s.text) for s in spec.sections}
        items = [it for s in spec.sections for it in spec.items_in(s.id)]
        for i, item in enumerate(items, 1):
            kind = type(item).__name__.replace("Item", "").lower()
            self.say(f"  [{i:>2}/{len(items)}] {kind} {getattr(item, 'name', '')}")
            blocks: list[Block | PendingBlock]
            ikey = self.items.key(item) if self.items is not None else None
            cached = self._from_item_cache(ikey) if ikey else None
            if cached is not None:
                sections[item.section].blocks.extend(cached)
                continue
            marks = (len(self.docs), len(self.claim_log), len(self.failures))
            try:
                blocks = ITEM_BUILDERS[type(item).__name__](*in_universe(self, svy, item), item)
                if ikey and len(self.failures) == marks[2]:
                    self.computed.append((ikey, blocks, marks[0], len(self.docs), marks[1], len(self.claim_log)))
            except Exception as exc:  # a model that fails, for any reason, is reported and the rest builds
                # a model, a starter report's item, or an item whose universe holds nobody of the report's
                if (kind == "model" or spec.keep_going or isinstance(exc, EmptyUniverse)) and not isinstance(
                    exc, _Clash
                ):
                    blocks = [self._failed(item, exc)]
                elif isinstance(exc, PewlikeError):
                    raise _where(spec, item.where, exc) from None
                else:
                    raise
            sections[item.section].blocks.extend(blocks)
        method = methods_blocks(self, svy)
        if wsection is not None:
            sections[wsection.section].blocks.extend(weighting_blocks(self, svy, wsection) + method[1])
            built = [sections[s.id] for s in spec.sections]
        else:
            built = [sections[s.id] for s in spec.sections] + [BuiltSection("methods", "Methodology", "", method[1])]
        date = f" Built {fixed_datetime():%Y-%m-%d}." if os.environ.get("SOURCE_DATE_EPOCH") else ""
        subtitle, source = spec.subtitle, self.source
        if spec.trends:  # every wave is a source; the universe's n is each wave's
            from pewlike.report.derive_spec import universe_name
            from pewlike.report.trend_items import trend_source, wave_counts
            from pewlike.report.universe import among_waves, with_line

            source = trend_source(spec)
            if name := universe_name(spec.data.universe, spec.data.filter):
                subtitle = with_line(subtitle, among_waves(name, wave_counts(self)) + ".")
        return ReportDoc(
            spec.title,
            subtitle,
            spec.intro,
            method[0],
            source_line(source, synthetic=self.synthetic, universe=svy.universe),
            tuple(built),
            f"Made with pewlike {__version__}.{date}",
            f"{self.tdir}/tables.xlsx" if "xlsx" in self.formats and self.docs else "",
        )

    def _from_item_cache(self, key: str) -> list[Block] | None:
        """An item built by an earlier build: its files written again, its blocks and tables; None if not stored."""
        assert self.items is not None  # only called with a key
        entry = self.items.load(key, reserved=("index.html", "report.md", f"{self.tdir}/tables.xlsx"))
        if entry is None or any(PurePosixPath(rel).as_posix().casefold() in self.claimed for rel in entry.files):
            return None  # a path already written: computing the item reports the clash as without the cache
        for rel, content in entry.files.items():
            self._file(rel, content)
        self.docs.extend(entry.docs)
        blocks: list[Block] = entry.blocks
        return blocks

    def _keep_items(self, resolved: dict[int, Block]) -> None:
        """Store the items computed in this build (those built without a failure) in the item cache."""
        assert self.items is not None  # only called with a cache
        for key, blocks, d0, d1, c0, c1 in self.computed:
            done = [resolved.get(id(b), b) for b in blocks]
            if any(isinstance(b, FailureBlock) for b in done):
                continue
            self.items.store(key, self.root, self.claim_log[c0:c1], done, self.docs[d0:d1])
        self.items.trim()

    def _failed(self, item: Item, exc: Exception) -> FailureBlock:
        from pewlike.report.advice import for_spec

        msg = f"{type(exc).__name__}: {for_spec(str(exc))}"  # the reader fixes the spec, not Python calls
        self.failures.append(f"{item.where} ({item.name}): {msg}")
        self.say(f"      failed: {msg}")
        return FailureBlock(f"{item.where} {item.name}", msg)

    def finish(self, doc: ReportDoc) -> list[str]:
        from pewlike.tables.export import write_xlsx

        if "xlsx" in self.formats and self.docs:  # while the figure workers draw (it does not need them)
            write_xlsx(self.docs, self._claim(self.tdir, "tables.xlsx"), title=self.spec.title)
        html_blocks, md_blocks = finished_blocks(doc)  # so are the tables' HTML and Markdown
        resolved: dict[int, Block] = {}
        for section in doc.sections:  # figures drawn by workers are collected in report order
            section.blocks[:] = [
                resolved.setdefault(id(b), b.result(self.failures)) if isinstance(b, Pending) else b
                for b in section.blocks
            ]
        self.close()
        if self.figcache is not None:
            self._keep_drawn()
        if self.items is not None:
            self._keep_items(resolved)
        if "html" in self.formats:
            self._file("index.html", render_html(doc, rendered=html_blocks).encode("utf-8"))
        if "md" in self.formats:
            self._file("report.md", render_markdown(doc, rendered=md_blocks).encode("utf-8"))
        return sorted(
            rel
            for p in self.root.rglob("*")
            if p.is_file() and (rel := p.relative_to(self.root).as_posix()) not in (MARKER, MANIFEST)
        )
