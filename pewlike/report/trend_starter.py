"""``pewlike init A.sav B.sav``: a starter spec for several waves, proposing the questions they share as trends.

Questions are matched by their name without the ATP wave suffix (``CONCERNCO_W49`` and
``CONCERNCO_W132`` are one question).  A question is proposed as a ``[[trend]]`` when it is
a Likert-like, yes/no or other labelled (2-12 answers) question in every file with the same
substantive answers; shared questions whose answers differ are listed in a comment (they
need a crosswalk, ``pw.stack(recode=...)``).  The text is checked by
:func:`pewlike.report.spec.loads` before it is returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pewlike.report.starter import Starter, _count, _names, _pick, _q, demographics

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.survey import Survey

__all__ = ["shared_questions", "waves_starter"]

_SUFFIX = re.compile(r"_(W\d+)$", re.IGNORECASE)


def _answers(svy: Survey, col: str) -> list[str]:
    from pewlike.io.codebook import answer_key, is_missing_label
    from pewlike.report.starter import _levels

    # compared as pw.stack matches them: "Very Concerned " in one wave is "Very concerned" in another
    return [answer_key(lev) for lev in _levels(svy, col) if not is_missing_label(lev)]


def _questions(svy: Survey) -> dict[str, str]:
    """Base name -> column of each question a one-wave starter would report (:func:`~pewlike.report.starter._pick`)."""
    from pewlike.io.codebook import base_name

    return {base_name(c): c for c in _pick(svy)[0]}


def _agree(name: str, surveys: Sequence[Survey], cols: Sequence[str]) -> bool:
    """Whether the waves' answers to a question can be stacked without a crosswalk, by
    :func:`pewlike.stack`'s own rule (:func:`~pewlike.trends.harmonise.harmonise_categories`):
    the same answers, or some of them in a wave without value labels (a CSV holds only the
    answers given)."""
    from pewlike.errors import DesignError
    from pewlike.trends.harmonise import harmonise_categories

    waves = [str(k) for k in range(len(surveys))]
    per = {k: (_answers(s, c), set[str]()) for k, s, c in zip(waves, surveys, cols, strict=True)}
    given = {k for k, s, c in zip(waves, surveys, cols, strict=True) if not s._codebook.variables[c].value_labels}
    try:
        harmonise_categories(name, per, given)
    except DesignError:
        return False
    return True


def shared_questions(surveys: Sequence[Survey]) -> tuple[list[str], list[str]]:
    """Questions asked in every wave with the same answers, and those whose answers differ.

    Parameters
    ----------
    surveys : sequence of Survey
        The waves, in time order.

    Returns
    -------
    (list of str, list of str)
        Base names (``CONCERNCO``) in the first wave's order: shared with the same
        substantive answers, and shared with different answers.

    Examples
    --------
    >>> import pewlike as pw
    >>> shared_questions([pw.demo(), pw.demo("2023")])[0]
    ['CONCERNCO', 'CONCERNGOV', 'CONCERNLE', 'CONTROLCO', 'UNDERSTANDCO', 'GOVREGV1']
    """
    per = [_questions(s) for s in surveys]
    same, differ = [], []
    for base in per[0]:
        if not all(base in q for q in per[1:]):
            continue
        if _agree(base, surveys, [q[base] for q in per]):
            same.append(base)
        else:
            differ.append(base)
    return same, differ


def _wave_name(svy: Survey, path: str, taken: set[str]) -> str:
    suffixes = [m.group(1).upper() for c in svy._codebook.variables if (m := _SUFFIX.search(c))]
    name = max(set(suffixes), key=suffixes.count) if suffixes else Path(path).stem
    base, k = name, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    return name


def _panel_why(surveys: Sequence[Survey], linked: bool) -> str:
    """The line saying how the waves are linked: panel members found by QKEY, or independent samples."""
    if not linked:
        return "panel: no QKEY column in every file, so the waves are stacked as independent samples"
    import numpy as np

    keys = np.concatenate([s._data["QKEY"].dropna().unique() for s in surveys])
    _, counts = np.unique(keys, return_counts=True)
    again = int((counts > 1).sum())
    if not again:
        return "panel: QKEY is in every file but no respondent answered more than one wave"
    return (
        f"panel: QKEY links {again:,} respondents who answered more than one wave; each counts as one cluster, "
        "so the tests of change allow for their answers being alike"
    )


def waves_starter(
    surveys: Sequence[Survey],
    paths: Sequence[str],
    *,
    spec_path: str = "report.toml",
    weight_whys: Sequence[str | None] = (),
) -> Starter:
    """A starter spec for several waves: one ``[[data]]`` per file, a ``[[trend]]`` per shared question.

    Parameters
    ----------
    surveys : sequence of Survey
        The waves read from ``paths``, in time order.
    paths : sequence of str
        Their files, as the spec will name them (relative to the spec's folder when they can be).
    spec_path : str
        Where the spec will be written.
    weight_whys : sequence of str or None
        Each wave's line saying how its weight was chosen
        (:func:`~pewlike.report.starter.read_for_starter`); None or missing: "the file's
        weight column".

    Returns
    -------
    Starter
        ``questions`` is the number of trends proposed; ``left_out`` the shared questions
        whose answers differ (listed in a comment, not written); ``choices`` says what
        was proposed and why (questions, each wave's weight, the panel link).

    Raises
    ------
    SpecError
        The waves share no question with the same answers.

    Notes
    -----
    No R equivalent.

    Examples
    --------
    >>> import pewlike as pw
    >>> s = waves_starter([pw.demo(), pw.demo("2023")], ["w2019.sav", "w2023.sav"])
    >>> s.questions, [line for line in s.text.splitlines() if line.startswith("wave =")]
    (6, ['wave = "W49"', 'wave = "W132"'])
    """
    from pewlike.design.frame import dropped_unweighted
    from pewlike.errors import SpecError
    from pewlike.report.spec import loads

    same, differ = shared_questions(surveys)
    if not same:
        raise SpecError(
            f"{', '.join(paths)}: no question is asked in every file with the same answers (matched by name without "
            "the wave suffix); write the spec by hand with [[data]] tables and [[trend]] items"
        )
    spec_dir = Path(spec_path).resolve().parent
    names: set[str] = set()
    why = [f"{_count(same, 'question')} asked in every wave with the same answers, proposed as trends: {_names(same)}"]
    if differ:
        why.append(
            f"{_count(differ, 'shared question')} whose answers differ, listed in the spec (each needs a "
            f"[stack] recode crosswalk): {_names(differ)}"
        )
    lines = [
        f"# Starter trend spec for {', '.join(Path(p).name for p in paths)}, written by `pewlike init`.",
        "# Edit it (wave names, in time order), then build the report with: pewlike report " + Path(spec_path).name,
        f"title = {_q('Trends: ' + ', '.join(Path(p).stem for p in paths))}",
        "",
    ]
    if differ:
        lines[2:2] = [f"# shared questions whose answers differ (need a crosswalk): {', '.join(differ)}"]
    for svy, path in zip(surveys, paths, strict=True):
        data = Path(path).resolve()
        try:
            rel = data.relative_to(spec_dir).as_posix()
        except ValueError:
            rel = data.as_posix()
        wave = _wave_name(svy, path, names)
        names.add(wave)
        weight = svy._design.names.get("weights")
        said = weight_whys[len(names) - 1] if len(weight_whys) >= len(names) else None
        if said is None:
            said = f"weight: {weight} (the file's weight column)" if weight else "weight: none found, so unweighted"
        why.append(f"{wave} ({Path(path).name}): {said}")
        lines += [
            "[[data]]",
            f"wave = {_q(wave)}",
            f"file = {_q(rel)}",
            f"weights = {_q(weight) if weight else 'false'}",
            *(['missing_weights = "drop"'] if weight and dropped_unweighted(svy._history) else []),
            "",
        ]
    linked = all("QKEY" in s._data.columns for s in surveys)
    why.append(_panel_why(surveys, linked))
    lines += [
        "[stack]",
        "# panel members answer in several waves under one id (false: independent samples)",
        f"id = {_q('QKEY') if linked else 'false'}",
        'weights = "rescale"',
        "",
        "[output]",
        'dir = "pewlike-report"',
        "",
    ]
    demos = [d for d in demographics(surveys[0]) if all(d in s._data.columns for s in surveys[1:])]
    for base in same:
        lines += ["[[trend]]", f"var = {_q(base)}", ""]
    if demos:
        lines += [f"# the change within groups, e.g.: [[trend]] var = {_q(same[0])} by = [{_q(demos[0])}]"]
    text = "\n".join(lines) + "\n"
    loads(text, label=Path(spec_path).name)  # the starter must itself be a valid spec
    return Starter(text, len(same), len(differ), tuple(why))
