"""Columns that look like replicate weights of a weight: only suggested, so only when the names leave no doubt."""

from __future__ import annotations

import pytest

from pewlike.design.structure import replicate_lookalikes


@pytest.mark.parametrize(
    ("columns", "weight", "want"),
    [
        (["PWGTP", "PWGTP1", "PWGTP2", "PWGTP3", "PWGTP4"], "PWGTP", ["PWGTP1", "PWGTP2", "PWGTP3", "PWGTP4"]),
        (["wt_4", "wt_2", "wt", "wt_1", "wt_3"], "wt", ["wt_1", "wt_2", "wt_3", "wt_4"]),  # in replicate order
        (["FINWT", "finwt1", "finwt2", "finwt3", "finwt4"], "FINWT", ["finwt1", "finwt2", "finwt3", "finwt4"]),
        (["PWGTP", "PWGTP1", "PWGTP2", "PWGTP3"], "PWGTP", []),  # three are too few to be sure
        (["PWGTP", "PWGTP1", "PWGTP2", "PWGTP4", "PWGTP5"], "PWGTP", []),  # a gap
        (["PWGTP", "PWGTP2", "PWGTP3", "PWGTP4", "PWGTP5"], "PWGTP", []),  # not from 1
        (["WEIGHT_W4", "WEIGHT_W41", "WEIGHT_W42", "WEIGHT_W43", "WEIGHT_W44"], "WEIGHT_W4", []),  # other waves
        (["W", "W1x", "W2x", "W3x", "W4x"], "W", []),  # not a number at the end
        # the usual replicate names beside a weight of another name (CPS/SIPP, IPUMS, MEPS)
        (
            ["PWSSWGT", "REPWGT1", "REPWGT2", "REPWGT3", "REPWGT4"],
            "PWSSWGT",
            ["REPWGT1", "REPWGT2", "REPWGT3", "REPWGT4"],
        ),
        (
            ["PERWT", "repwtp_1", "repwtp_2", "repwtp_3", "repwtp_4"],
            "PERWT",
            ["repwtp_1", "repwtp_2", "repwtp_3", "repwtp_4"],
        ),
        (["W", "BRR1", "BRR2", "BRR3", "BRR4", "BRR5"], "W", ["BRR1", "BRR2", "BRR3", "BRR4", "BRR5"]),
        (
            ["PWGTP", "PWGTP1", "PWGTP2", "PWGTP3", "PWGTP4", "REPWT1", "REPWT2", "REPWT3", "REPWT4"],
            "PWGTP",
            ["PWGTP1", "PWGTP2", "PWGTP3", "PWGTP4"],
        ),
        (["W", "REPWT1", "REPWT2", "REPWT4", "REPWT5"], "W", []),  # a gap, as for the weight's own name
        (["W", "BRRX1", "BRRX2", "BRRX3", "BRRX4"], "W", []),  # another stem
    ],
)
def test_replicate_lookalikes(columns, weight, want):
    assert replicate_lookalikes(columns, weight) == want
