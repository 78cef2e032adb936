"""Trend tables print shares as the report does (#13)."""


def test_trend_table_rounds_as_the_report_does():
    """Trend.table() prints shares as Pew does (half up, "<1"), like the report's trend tables."""
    from pewlike.trends.results import _points

    assert [_points(x) for x in (0.125, 0.135, 0.004, 0.0, float("nan"))] == ["13", "14", "<1", "0", "-"]
