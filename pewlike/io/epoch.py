"""``SOURCE_DATE_EPOCH``: the one date reproducible outputs carry, read when it is used."""

from __future__ import annotations

import os

from pewlike.errors import PewlikeError

__all__ = ["source_date_epoch"]

# the latest second datetime/time.gmtime can show everywhere (year 9999)
_LARGEST = 253402300799


def source_date_epoch() -> int | None:
    """The value of ``SOURCE_DATE_EPOCH`` as seconds since 1970 (UTC), or None when it is unset.

    Returns
    -------
    int or None
        None when the variable is unset or empty.

    Raises
    ------
    PewlikeError
        The variable is set but is not a whole number of seconds from 0 to year 9999;
        the message names the variable and its value.

    Notes
    -----
    Follows https://reproducible-builds.org/specs/source-date-epoch/: an invalid value is
    an error, never silently replaced by the clock.  Read each time it is needed, never
    when pewlike is imported.  Some libraries pewlike uses read the variable when they are
    imported (NumPy's ``f2py``, pulled in by SciPy) and stop with a bare ``ValueError``;
    the command line checks it first, with this function.

    Examples
    --------
    >>> source_date_epoch()  # with SOURCE_DATE_EPOCH=1700000000  # doctest: +SKIP
    1700000000
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) > _LARGEST:
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        raise PewlikeError(
            f"SOURCE_DATE_EPOCH={shown!r} is not a Unix timestamp; set it to a whole number of seconds "
            "since 1970 (e.g. 1700000000) or unset it"
        )
    return int(text)
