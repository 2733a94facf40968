"""The noise simulation (`python -m bench.noise`): a week of a team of 8 and 30 posts on the settings' defaults,
in-process against the fake Slack. Its figures are ceilings: a change that makes Dibs louder fails here."""

from __future__ import annotations

import pytest

from bench.noise import report, simulate


@pytest.mark.parametrize("claims", ["nobody", "some"])
def test_a_normal_week_stays_under_the_noise_ceilings(claims):
    figures = report(simulate(seed=7, posts=30, claims=claims))
    assert figures["messages per channel per working day (max)"] <= 3, figures
    assert figures["@here per channel per day (max)"] <= 1, figures
    assert figures["live lists in one channel at once (max)"] <= 1, figures
    assert figures["DMs to one person for one change (max)"] <= 1, figures
    assert figures["DMs per person per day (max)"] <= 3, figures  # nag.max_pings_per_day
    assert figures["questions (one per follow-up, not counted above)"] == 30  # every post was asked about
