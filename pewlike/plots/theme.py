"""The house style of pewlike figures, in one place, and byte-reproducible saving.

* Fonts: DejaVu Sans (shipped with matplotlib), 10 pt text, 13 pt title; a
  figure is 8 inches wide and saved at 120 dpi (960 px, shown 800 px wide),
  readable at 100 % size.  SVG keeps text as text (searchable, accessible).
* Colours: colour-blind-safe.  Categories use the Okabe-Ito palette; Likert
  scales a blue (agree/positive side) - grey - orange (other side) diverging
  ramp, distinguishable under protanopia, deuteranopia and tritanopia and in
  greyscale by lightness.
* Every figure has its question wording (wrapped) as title, a source line
  ("Source: <file>, weighted; synthetic demo data") and the unweighted n.
* Saving: Agg renderer, fixed ``svg.hashsalt``, no date or
  software version in PNG/SVG metadata, so two builds give identical bytes.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

__all__ = [
    "DPI",
    "INK",
    "MUTED",
    "OKABE_ITO",
    "WIDTH",
    "diverging_colors",
    "figure_bytes",
    "finish",
    "fit_label",
    "new_figure",
    "plain_figure",
    "save_figure",
    "style",
    "text_color",
    "title_height",
    "wrap",
]

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
INK = "#222222"
MUTED = "#666666"
GRID = "#DDDDDD"
WIDTH = 8.0  # inches
DPI = 120
_BLUES = ("#08306B", "#2171B5", "#6BAED6", "#C6DBEF")
_ORANGES = ("#7F2704", "#D94801", "#FD8D3C", "#FDD0A2")
_MIDDLE = "#BDBDBD"


def _rc() -> dict[RcKeyType, Any]:
    return {
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "text.parse_math": False,  # labels such as "$30,000-$74,999" are text, not math
        "axes.titlesize": 13,
        "axes.labelsize": 10,
        "axes.edgecolor": MUTED,
        "axes.labelcolor": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": INK,
        "ytick.color": INK,
        "text.color": INK,
        "legend.frameon": False,
        "figure.dpi": 100,
        "savefig.dpi": DPI,
        "savefig.facecolor": "white",
        "figure.facecolor": "white",
        "svg.hashsalt": "pewlike",
        "svg.fonttype": "none",
        "svg.image_inline": True,
        "path.simplify": True,
        "hatch.linewidth": 0.8,
    }


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Apply the house style (matplotlib ``rc_context``) for drawing and saving."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        yield


def diverging_colors(n_left: int, n_mid: int, n_right: int) -> list[str]:
    """Colours for a Likert scale in level order: blues (first levels), a grey middle, oranges (last levels).

    The extreme answers are darkest ("Very concerned" dark blue, "Not at all
    concerned" dark orange); at most four levels a side and one middle level.
    """
    ramps = {0: (), 1: (1,), 2: (0, 2), 3: (0, 1, 2), 4: (0, 1, 2, 3)}
    if n_left not in ramps or n_right not in ramps or n_mid not in (0, 1):
        from pewlike.errors import PewlikeError

        raise PewlikeError(
            f"a diverging scale takes up to 4 levels a side and one middle level; got {n_left} + {n_mid} + {n_right}"
        )
    left = [_BLUES[i] for i in ramps[n_left]]
    right = [_ORANGES[i] for i in ramps[n_right]][::-1]
    return left + [_MIDDLE] * n_mid + right


def text_color(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance)."""
    from matplotlib.colors import to_rgb

    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(fill)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "white" if lum < 0.35 else INK


def wrap(text: str, width: int = 80) -> str:
    """Wrap a question wording for a title (whole words), without control characters."""
    from pewlike.textsafe import plain_text

    return "\n".join(textwrap.wrap(" ".join(plain_text(text).split()), width)) if text else ""


def fit_label(text: str, width: int, max_lines: int = 2) -> str:
    """Wrap a category label to ``width`` characters on at most ``max_lines`` lines.

    A label that does not fit is cut at the last whole word (or mid-word for a word
    longer than a line) and ends with an ellipsis, so no label runs into its neighbours.

    Parameters
    ----------
    text : str
        A label (control characters are dropped).
    width : int
        Characters per line.
    max_lines : int
        Lines at most.

    Returns
    -------
    str
        Lines joined by newlines.

    Examples
    --------
    >>> fit_label("Somewhat concerned", 24)
    'Somewhat concerned'
    >>> print(fit_label("A very long answer that goes on and on and on", 12))
    A very long
    answer that…
    """
    lines = wrap(text, width).split("\n") if text else [""]
    if len(lines) <= max_lines:
        return "\n".join(lines)
    kept = lines[:max_lines]
    last = kept[-1]
    if len(last) >= width:
        last = last[: width - 1]
    kept[-1] = last.rstrip(" ,;:-") + "…"
    return "\n".join(kept)


def new_figure(height: float) -> Figure:
    """A house-style figure ``WIDTH`` x ``height`` inches (no pyplot, no global state)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, height))


def finish(fig: Figure, *, title: str, source: str, n_note: str, subtitle: str | None = None) -> None:
    """Place the wrapped title (and subtitle) above the axes, the source and n line below them.

    The space is kept free by the caller's layout (see :func:`title_height`).
    """
    h = fig.get_figheight()
    fig.text(
        0.02,
        1 - 0.12 / h,
        wrap(title, 64),
        ha="left",
        va="top",
        fontsize=13,
        fontweight="bold",
        color=INK,
        linespacing=1.25,
    )
    if subtitle:
        lines = wrap(title, 64).count("\n") + 1
        fig.text(
            0.02, 1 - (0.2 + 0.25 * lines) / h, wrap(subtitle, 100), ha="left", va="top", fontsize=9.5, color=MUTED
        )
    fig.text(0.02, 0.1 / h, wrap(f"{source} {n_note}".strip(), 100), ha="left", va="bottom", fontsize=8.5, color=MUTED)


def title_height(title: str, subtitle: str | None = None) -> float:
    """Inches a wrapped title and subtitle take at the top of a figure."""
    lines = wrap(title, 64).count("\n") + 1
    sub = (wrap(subtitle, 100).count("\n") + 1) * 0.18 if subtitle else 0.0
    return 0.2 + 0.25 * lines + sub


def save_figure(fig: Figure, stem: Path | str, formats: Sequence[Literal["png", "svg"]] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``stem.png`` / ``stem.svg`` with reproducible bytes; returns the paths.

    Files are written under a temporary name and renamed into place.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from :mod:`pewlike.plots`.
    stem : str or pathlib.Path
        The path without its extension (``figures/concern``).
    formats : sequence of {"png", "svg"}
        The files written, in order.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    PewlikeError
        A format other than PNG or SVG.

    Notes
    -----
    Like ``ggplot2::ggsave`` in R, with fixed metadata so that two builds give the same bytes.

    Examples
    --------
    >>> from pewlike.plots.theme import new_figure, save_figure
    >>> save_figure(new_figure(2.0), "figures/empty")  # doctest: +SKIP
    [PosixPath('figures/empty.png'), PosixPath('figures/empty.svg')]
    """
    from pewlike.tables.export import atomic_write

    stem = Path(stem)
    bad = [f for f in formats if f not in ("png", "svg")]
    if bad:
        from pewlike.errors import PewlikeError

        raise PewlikeError(f"figure format {bad[0]!r} is not supported; choose 'png' or 'svg'")
    plain_figure(fig)  # once for all the formats (drawing does not bring control characters back)
    with style():
        return [atomic_write(stem.with_name(f"{stem.name}.{fmt}"), _encode(fig, fmt)) for fmt in formats]


def figure_bytes(fig: Figure, fmt: Literal["png", "svg"] = "png") -> bytes:
    """The figure encoded as PNG or SVG bytes: house style, no date or software version in the metadata.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from :mod:`pewlike.plots`.
    fmt : {"png", "svg"}
        The encoding.

    Returns
    -------
    bytes

    Examples
    --------
    >>> from pewlike.plots.theme import figure_bytes, new_figure
    >>> figure_bytes(new_figure(1.0))[1:4]
    b'PNG'
    """
    plain_figure(fig)
    with style():
        return _encode(fig, fmt)


def _encode(fig: Figure, fmt: Literal["png", "svg"]) -> bytes:
    """:func:`figure_bytes` of a figure made plain already (:func:`plain_figure`), in the house style."""
    import io

    from pewlike.textsafe import plain_text

    buf = io.BytesIO()
    meta = {"Software": None} if fmt == "png" else {"Date": None, "Creator": "pewlike"}
    fig.savefig(buf, format=fmt, metadata=meta, dpi=DPI)
    if fmt == "svg":  # nothing outside the texts should hold a control character; make sure of it
        return plain_text(buf.getvalue().decode("utf-8")).encode("utf-8")
    return buf.getvalue()


def plain_figure(fig: Figure) -> None:
    """Remove escape sequences and control characters from every text and element id of ``fig``.

    Labels come from data files; a NUL or an escape character in a title, a tick label, a
    legend entry or an SVG ``id`` makes the SVG invalid XML and shows as a missing glyph in
    the PNG.  :func:`figure_bytes` calls this before saving; texts without such characters
    are not touched.  Tick labels are drawn again from their formatter when the figure is
    saved, so the figures pass their labels through :func:`wrap`, which makes them plain.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Changed in place.

    Examples
    --------
    >>> from pewlike.plots.theme import new_figure, plain_figure
    >>> fig = new_figure(1.0)
    >>> _ = fig.text(0, 0, "Concern\\x1b]0;pwned\\x07\\x00")
    >>> plain_figure(fig)
    >>> fig.texts[0].get_text()
    'Concern'
    """
    from matplotlib.text import Text

    from pewlike.textsafe import plain_text

    for artist in fig.findobj():
        if isinstance(artist, Text):
            text = artist.get_text()
            if plain_text(text) != text:
                artist.set_text(plain_text(text))
        gid = artist.get_gid()
        if gid is not None and plain_text(gid) != gid:
            artist.set_gid(plain_text(gid))
