"""Build a report from a spec: toplines, crosstabs, comparisons, models, weighting -> files.

:func:`build` reads the data, checks every variable the spec names (so a typo
fails before anything is written), computes the results, draws the figures and
writes everything into a staging folder next to the output folder, which then
replaces the previous report in one rename.  A failed build leaves the previous
report untouched; a failing model or weighting summary is reported in the
report and the rest still builds.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pewlike.errors import PewlikeError, SpecError, VariableError
from pewlike.report.html import (
    Block,
    BuiltSection,
    FailureBlock,
    FigureBlock,
    PendingBlock,
    ReportDoc,
    TableBlock,
    render_html,
    render_markdown,
)
from pewlike.report.spec import DEMO_DATA, Spec

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ProcessPoolExecutor

    import pandas as pd

    from pewlike.report.schema import Item, Nets, WeightingSpec
    from pewlike.survey import Base, Survey
    from pewlike.tables.crosstabs import Crosstab
    from pewlike.tables.export import TableDoc
    from pewlike.tables.toplines import Topline

__all__ = ["MARKER", "BuildResult", "build"]

MARKER = ".pewlike-report"
_MARKER_TEXT = "Written by `pewlike report`; the whole folder is replaced when the report is rebuilt.\n"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: the folder, the files (relative, sorted), failed sections, timing."""

    out: Path
    files: tuple[str, ...]
    failures: tuple[str, ...]
    seconds: float

    def summary(self) -> str:
        """One paragraph for the terminal."""
        n_tab = sum(1 for f in self.files if f.startswith("tables/") and f.endswith(".csv") and "/data/" not in f)
        n_fig = len({f.rsplit(".", 1)[0] for f in self.files if f.startswith("figures/")})
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
) -> BuildResult:
    """Build the report described by ``spec``.

    Parameters
    ----------
    spec : Spec
        From :func:`pewlike.report.spec.load` (or the demo spec).
    out : path, optional
        Output folder (default: the spec's ``[output] dir``).
    data : str, optional
        Data file replacing the spec's ``[data] file``.
    echo : callable, optional
        Receives progress lines.
    jobs : int, optional
        Processes drawing figures (default: up to 2, one per CPU); the files
        are the same whatever the number.

    Returns
    -------
    BuildResult

    Raises
    ------
    DataFileError, SpecError, PewlikeError
        Missing or unreadable data, variables not in the data, an output
        folder that cannot be written.  Nothing is written then.

    Notes
    -----
    No R survey equivalent (R reports are written by hand in R Markdown or Quarto).

    Examples
    --------
    >>> from pewlike.report.build import build
    >>> from pewlike.report.demo import demo_spec
    >>> print(build(demo_spec(), out="pewlike-report").summary())  # doctest: +SKIP
    Wrote pewlike-report/ in 30.6 s: 283 files, 33 tables, 19 figures.
    ...
    """
    say = echo or (lambda _msg: None)
    t0 = time.perf_counter()
    svy, source = _load(spec, data)
    say(f"pewlike report: {source} ({svy.n:,} respondents)")
    _check_variables(spec, svy)
    target = Path(out or spec.output.dir)
    staging = _staging(target)
    writer = _Writer(staging, spec, source, say, jobs=_jobs(jobs))
    try:
        svy, wsection = _weighting(writer, spec, svy)
        doc = writer.run(svy, wsection)
        files = writer.finish(doc)
        _replace(staging, target)
    except BaseException:
        writer.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(target, tuple(files), tuple(writer.failures), time.perf_counter() - t0)


def _load(spec: Spec, data: str | None) -> tuple[Survey, str]:
    from pewlike.loading import demo, read

    opts = spec.data.read_options()
    path = data or spec.data_path()
    if path == DEMO_DATA:
        return demo(**opts), "privacy_survey_demo.sav"
    return read(path, **opts), Path(path).name


def _where(spec: Spec, where: str, exc: Exception) -> SpecError:
    return SpecError(f"{spec.label}: {where}: {exc}")


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
    for m in spec.models:
        for var in m.effects:
            try:
                svy.column(var)
            except VariableError as exc:
                raise _where(spec, m.where, exc) from None


def _staging(out: Path) -> Path:
    """A fresh folder next to ``out`` (same file system, so the final rename is atomic)."""
    if out.exists() and not out.is_dir():
        raise PewlikeError(f"output folder {str(out)!r} is a file; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise PewlikeError(
            f"output folder {str(out)!r} exists and was not written by pewlike report; choose another --out or empty it"
        )
    parent = out.resolve().parent
    staging = parent / f".{out.name}.building-{os.getpid()}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        (staging / MARKER).write_text(_MARKER_TEXT)
    except OSError as exc:
        raise PewlikeError(
            f"cannot write the report to {str(out)!r}: {exc.strerror or exc}; choose a writable --out folder"
        ) from None
    return staging


def _replace(staging: Path, out: Path) -> None:
    """Move the staged report into place; the previous one is removed only after that succeeded."""
    if out.exists():
        old = out.resolve().parent / f".{out.name}.previous-{os.getpid()}"
        os.rename(out, old)
        try:
            os.rename(staging, out)
        except OSError:
            os.rename(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, out)


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


# ---------------------------------------------------------------------------
# figures, drawn in worker processes
# ---------------------------------------------------------------------------
def _jobs(jobs: int | None) -> int:
    if jobs is None:
        return max(1, min(2, os.cpu_count() or 1))
    if not isinstance(jobs, int) or jobs < 1:
        raise PewlikeError(f"jobs={jobs!r} is not valid; give a number of processes >= 1")
    return jobs


def _pool(jobs: int) -> ProcessPoolExecutor | None:
    """A process pool (fork, so workers start with pewlike imported); None where fork is unavailable."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    from pewlike import plots  # noqa: F401  (imported once here, inherited by the forked workers)
    from pewlike.plots.theme import figure_bytes, new_figure, style

    with style():  # load the font cache before forking
        figure_bytes(new_figure(1.0), "png")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))


#: A figure to draw: plots function, its arguments and keywords, file stem, formats, whether the PNG is wanted.
_Job = tuple[str, tuple[Any, ...], dict[str, Any], str, tuple[Literal["png", "svg"], ...], bool]
_FIGURE_FORMATS: tuple[Literal["png", "svg"], ...] = ("png", "svg")


def _draw(job: _Job) -> bytes:
    """Draw one figure, save its files, and return its PNG bytes (for the HTML page)."""
    from pewlike import plots
    from pewlike.plots.theme import figure_bytes, save_figure

    kind, args, kwargs, stem, fmts, want_png = job
    fig = getattr(plots, kind)(*args, **kwargs)
    if fmts:
        save_figure(fig, stem, fmts)
    if "png" in fmts:
        return Path(f"{stem}.png").read_bytes()
    return figure_bytes(fig, "png") if want_png else b""


class _FigureFuture(Protocol):
    """What ``_Pending`` waits on: a ``concurrent.futures.Future`` or a :class:`_Done`."""

    def result(self) -> bytes: ...


class _Done:
    """A finished result (or error) with the ``Future.result()`` interface."""

    def __init__(self, value: bytes = b"", error: Exception | None = None) -> None:
        self.value, self.error = value, error

    def result(self) -> bytes:
        if self.error is not None:
            raise self.error
        return self.value


class _Pending:
    """A figure block whose image is being drawn."""

    def __init__(self, name: str, alt: str, path: str, links: tuple[tuple[str, str], ...]) -> None:
        self.name, self.alt, self.path, self.links = name, alt, path, links
        self.future: _FigureFuture | None = None

    def result(self, failures: list[str]) -> FigureBlock | FailureBlock:
        """The figure's block; a figure that could not be drawn is reported in its place."""
        try:
            assert self.future is not None  # set by _Writer.figure as soon as the figure is queued
            return FigureBlock(self.name, self.alt, self.future.result(), self.path, self.links)
        except Exception as exc:
            msg = f"{type(exc).__name__}: {exc}"
            failures.append(f"figure {self.name}: {msg}")
            return FailureBlock(f"figure {self.name}", msg)


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
        self.pool: ProcessPoolExecutor | None = None

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
    def _file(self, rel: str, data: bytes) -> str:
        from pewlike.tables.export import atomic_write

        atomic_write(self.root / rel, data)
        return rel

    def table(self, doc: TableDoc, data_frames: Sequence[tuple[str, pd.DataFrame]] = ()) -> TableBlock:
        """Write a table's CSV/MD/HTML (and its estimates) and return its block."""
        from pewlike.tables.export import write_csv

        self.docs.append(doc)
        links: list[tuple[str, str]] = []
        if "csv" in self.formats:
            guard = self.spec.output.formula_guard
            write_csv(doc.frame, self.root / self.tdir / f"{doc.name}.csv", formula_guard=guard)
            links.append(("CSV", f"{self.tdir}/{doc.name}.csv"))
            for suffix, frame in data_frames:
                write_csv(frame, self.root / self.tdir / "data" / f"{doc.name}{suffix}.csv", formula_guard=guard)
        if "md" in self.formats:
            from pewlike.tables.export import write_markdown

            write_markdown(doc, self.root / self.tdir / f"{doc.name}.md")
            links.append(("Markdown", f"{self.tdir}/{doc.name}.md"))
        if "html" in self.formats:
            from pewlike.report.html import CSS
            from pewlike.tables.export import write_html

            write_html(doc, self.root / self.tdir / f"{doc.name}.html", css=CSS)
            links.append(("HTML", f"{self.tdir}/{doc.name}.html"))
        return TableBlock(doc, tuple(links))

    def figure(self, kind: str, name: str, alt: str, *args: Any, **kwargs: Any) -> _Pending:
        """Queue a figure: ``pewlike.plots.<kind>(*args, **kwargs)`` drawn and saved, in a worker when possible."""
        fmts = tuple(f for f in _FIGURE_FORMATS if f in self.formats)
        job: _Job = (kind, args, kwargs, str(self.root / self.fdir / name), fmts, "html" in self.formats)
        links = tuple((f.upper(), f"{self.fdir}/{name}.{f}") for f in fmts)
        pending = _Pending(name, alt, f"{self.fdir}/{name}.png" if "png" in fmts else "", links)
        pending.future = self._submit(job)
        return pending

    def _submit(self, job: _Job) -> _FigureFuture:
        if self.jobs > 1 and self.pool is None:
            self.pool = _pool(self.jobs)
        if self.pool is None:
            try:
                return _Done(_draw(job))
            except Exception as exc:
                return _Done(error=exc)
        return self.pool.submit(_draw, job)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
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
            try:
                blocks = ITEM_BUILDERS[type(item).__name__](self, svy, item)
            except Exception as exc:  # a model that fails, for any reason, is reported and the rest builds
                if kind == "model":
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
        return ReportDoc(
            spec.title,
            spec.subtitle,
            spec.intro,
            method[0],
            source_line(self.source, synthetic=self.synthetic),
            tuple(built),
            f"Made with pewlike {__version__}.{date}",
            f"{self.tdir}/tables.xlsx" if "xlsx" in self.formats and self.docs else "",
        )

    def _failed(self, item: Item, exc: Exception) -> FailureBlock:
        msg = f"{type(exc).__name__}: {exc}"
        self.failures.append(f"{item.where} ({item.name}): {msg}")
        self.say(f"      failed: {msg}")
        return FailureBlock(f"{item.where} {item.name}", msg)

    def finish(self, doc: ReportDoc) -> list[str]:
        from pewlike.tables.export import write_xlsx

        for section in doc.sections:  # figures drawn by workers are collected in report order
            section.blocks[:] = [b.result(self.failures) if isinstance(b, _Pending) else b for b in section.blocks]
        self.close()
        if "xlsx" in self.formats and self.docs:
            write_xlsx(self.docs, self.root / self.tdir / "tables.xlsx", title=self.spec.title)
        if "html" in self.formats:
            self._file("index.html", render_html(doc).encode("utf-8"))
        if "md" in self.formats:
            self._file("report.md", render_markdown(doc).encode("utf-8"))
        return sorted(
            p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file() and p.name != MARKER
        )
