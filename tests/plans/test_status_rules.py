from decimal import Decimal

import pytest

from plans.periods import Month
from plans.status import (
    Approval,
    Status,
    count_statuses,
    effective_target,
    is_live,
    overall_status,
    percent_text,
    percentage,
    revised_date_text,
    suggest,
    suggested_status,
)

JUL, AUG, SEP = Month(2009, 7), Month(2009, 8), Month(2009, 9)


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [
        (11, 83, "13.3"),
        (67, 83, "80.7"),
        (5, 83, "6.0"),
        (0, 83, "0.0"),
        (1, 16, "6.3"),  # 6.25 rounds half up, not to even
        (1, 8, "12.5"),
        (3, 8, "37.5"),
        (1, 400, "0.3"),  # 0.25 -> 0.3
        (3, 400, "0.8"),  # 0.75 -> 0.8
        (5, 131, "3.8"),  # December 2008 amber: the paper's 3.9% was a slip
        (80, 102, "78.4"),  # March 2009 green: the paper's 78.5% was a slip
        (3, 78, "3.8"),  # May 2009: the paper printed 3.85%
        (2, 3, "66.7"),
        (0, 0, "0.0"),
    ],
)
def test_percentage_is_rounded_half_up_to_one_place(count, total, expected):
    assert percentage(count, total) == Decimal(expected)
    assert percent_text(percentage(count, total)) == expected


def test_compact_percentage_drops_a_trailing_zero_as_the_cover_sentence_does():
    assert percent_text(Decimal("6.0"), compact=True) == "6"
    assert percent_text(Decimal("0.0"), compact=True) == "0"
    assert percent_text(Decimal("13.3"), compact=True) == "13.3"


def test_counts_include_repro_and_susp_in_the_denominator():
    figures = count_statuses(["GREEN"] * 67 + ["AMBER"] * 11 + ["SUSP"] * 5)
    assert figures.total == 83
    assert figures.count(Status.RED) == 0
    assert figures.percent(Status.SUSP) == Decimal("6.0")
    assert figures.as_json() == {
        "total": 83,
        "counts": {"RED": 0, "AMBER": 11, "GREEN": 67, "REPRO": 0, "SUSP": 5},
        "percentages": {"RED": "0.0", "AMBER": "13.3", "GREEN": "80.7", "REPRO": "0.0", "SUSP": "6.0"},
    }


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        count_statuses(["PURPLE"])


@pytest.mark.parametrize(
    ("month", "target", "completed", "expected"),
    [
        (Month(2009, 6), JUL, None, "GREEN"),  # not yet due
        (JUL, JUL, None, "AMBER"),  # due in July, not done at the end of July
        (AUG, JUL, None, "RED"),  # still not done a month later
        (SEP, JUL, None, "RED"),
        (JUL, JUL, JUL, "GREEN"),  # completed in the month
        (AUG, JUL, AUG, "GREEN"),  # completed late is still completed
        (AUG, JUL, SEP, "RED"),  # completed only in the future: still behind in August
        (JUL, None, None, "GREEN"),  # ongoing action with no target
    ],
)
def test_suggested_status_from_dates(month, target, completed, expected):
    assert suggested_status(month=month, target=target, completed=completed) == Status(expected)


def test_a_revised_date_alone_is_an_extension_not_a_new_target():
    assert effective_target(original=JUL, revised=SEP, reprogramme_approved=False) == JUL
    assert effective_target(original=JUL, revised=SEP, reprogramme_approved=True) == SEP
    assert effective_target(original=JUL, revised=None, reprogramme_approved=True) == JUL


def test_live_actions_are_planned_or_due_and_not_done():
    assert is_live(month=AUG, planned=[AUG], target=None, completed=None)
    assert is_live(month=AUG, planned=[], target=JUL, completed=None)
    assert is_live(month=AUG, planned=[], target=JUL, completed=AUG)  # done this month: still reported
    assert not is_live(month=AUG, planned=[], target=JUL, completed=JUL)  # done before August
    assert not is_live(month=JUL, planned=[AUG], target=SEP, completed=None)


def test_revised_date_text_as_the_exception_block_prints_it():
    assert revised_date_text(revised=SEP, suspended=False) == "Sept 09"
    assert revised_date_text(revised=None, suspended=False) == "TBC"
    assert revised_date_text(revised=None, suspended=True) == "-"
    # A suspension awaiting approval (seed 000: 7.3.3, counted Amber) is printed "-" too.
    assert revised_date_text(revised=None, suspended=False, suspension_asked=True) == "-"
    assert revised_date_text(revised=Month(2010, 12), suspended=False, suspension_asked=True) == "Dec 10"


@pytest.mark.parametrize(
    "statuses, expected",
    [
        (["GREEN", "AMBER", "GREEN"], Status.AMBER),  # seed 002 R1 in July 2009: 13.4.4 is Amber
        (["AMBER", "RED"], Status.RED),
        (["GREEN", "REPRO"], Status.GREEN),  # an approved re-programme is not behind
        (["SUSP"], Status.SUSP),  # R6 in July 2009: its one reported action suspended
        (["REPRO", "SUSP"], Status.REPRO),
        ([], None),
    ],
)
def test_a_group_of_actions_is_as_far_behind_as_its_furthest(statuses, expected):
    assert overall_status(statuses) == expected


@pytest.mark.parametrize(
    ("values", "explained"),
    [
        ({"month": JUL, "original": JUL}, "Due July 2009: one month behind \u2192 Amber"),
        ({"month": JUL, "original": JUL, "revised": SEP}, "Due July 2009, revised to September 2009: one month behind \u2192 Amber"),
        # A revised date alone is an extension: in August the action is over one month behind.
        (
            {"month": AUG, "original": JUL, "revised": SEP},
            "Due July 2009, revised to September 2009 (an extension: only an approved re-programme "
            "moves the target): over one month behind \u2192 Red",
        ),
        ({"month": SEP, "original": JUL, "revised": SEP}, "Due July 2009, revised to September 2009: over one month behind \u2192 Red"),
        ({"month": Month(2009, 6), "original": JUL}, "Due July 2009: not due yet \u2192 Green"),
        ({"month": AUG, "original": JUL, "completed": AUG}, "Completed in August 2009 \u2192 Green"),
        ({"month": AUG, "original": None}, "No target date \u2192 Green"),
        (
            {"month": SEP, "original": JUL, "revised": SEP, "reprogrammed": True},
            "Due September 2009 (re-programmed with approval; originally July 2009): one month behind \u2192 Amber",
        ),
        (
            {"month": AUG, "original": JUL, "approval": Approval(Status.REPRO, JUL, SEP)},
            "Re-programmed to September 2009 with approval from July 2009 \u2192 Re-programmed",
        ),
        (
            {"month": AUG, "original": JUL, "approval": Approval(Status.SUSP, JUL)},
            "Suspended with approval from July 2009 \u2192 Suspended",
        ),
    ],
)  # fmt: skip
def test_each_suggestion_comes_with_its_reason(values, explained):
    suggestion = suggest(**values)
    assert suggestion.explained() == explained
    # The words and the status come from one branch: the status is the word after the arrow.
    assert explained.endswith(suggestion.status.label)


def test_the_explanation_takes_the_plans_own_word():
    words = {Status.AMBER: "Some slippage reported"}
    suggestion = suggest(month=JUL, original=JUL)
    assert suggestion.explained(lambda s: words.get(s, s.label)) == (
        "Due July 2009: one month behind \u2192 Some slippage reported"
    )
