"""The legal-calendar functions in `${…}` expressions, written as a process owner writes them.

Each expectation is computed by hand on the Danish calendar and must equal what engine/deadlines.py
gives for the same rule: the functions are that code, not a second copy of it.
"""

from __future__ import annotations

from datetime import date

import pytest

from engine.bpmn.expressions import juel_to_python
from engine.bpmn.scripting import HELPER_NAMES, evaluate_expression
from engine.deadlines import investigation_due, report_receipt_due


def expression(juel: str, **variables: object) -> object:
    return evaluate_expression(juel_to_python(juel, HELPER_NAMES), variables, missing_as_none=True)


def test_add_months_gives_the_last_day_of_a_month_deadline() -> None:
    assert expression("${add_months(aware, 4)}", aware="2026-12-02") == "2027-04-02"
    assert expression("${add_months(aware, 4)}", aware="2025-10-31") == "2026-02-28"  # clamped
    assert expression("${add_months(aware, -1)}", aware="2026-03-31") == "2026-02-28"
    # An instant counts from its Copenhagen day: 1 Dec 23:30Z is 2 Dec 00:30 CET.
    assert expression("${add_months(aware, 4)}", aware="2026-12-01T23:30:00Z") == "2027-04-02"
    assert (
        expression("${add_months(aware, 4)}", aware="2026-12-02")
        == investigation_due(date(2026, 12, 2)).variable
    )


def test_add_working_days_skips_weekends_holidays_and_the_day_itself() -> None:
    # The receipt: Wed 2 Dec 2026 + 6 working days = Thu 10 Dec.
    assert (
        expression("${add_working_days(received, 6)}", received="2026-12-02T10:00:00+01:00") == "2026-12-10"
    )
    # Across Easter 2027 and the DST switch (Sun 28 Mar): Tue 23 Mar -> Wed 24, Tue 30, Wed 31,
    # Thu 1, Fri 2, Mon 5 Apr (25, 26 and 29 Mar are holidays).
    assert expression("${add_working_days(received, 6)}", received="2027-03-23") == "2027-04-05"
    assert (
        expression("${add_working_days(received, 6)}", received="2026-12-02")
        == report_receipt_due(date(2026, 12, 2)).variable
    )
    with pytest.raises(ValueError, match="at least 1"):
        expression("${add_working_days(received, 0)}", received="2026-12-02")


def test_end_of_day_is_the_instant_the_day_has_ended() -> None:
    assert expression("${end_of_day(due)}", due="2026-12-10") == "2026-12-10T23:00:00+00:00"
    assert expression("${end_of_day(due)}", due="2027-03-28") == "2027-03-28T22:00:00+00:00"  # 23-hour day


def test_proposed_dates_move_back_onto_a_working_day_and_the_earliest_wins() -> None:
    # The proposal: 60 days after Wed 2 Dec 2026 is Sun 31 Jan 2027 -> Fri 29 Jan.
    proposal = "${working_day_on_or_before(add_days(decided, 60))}"
    assert expression(proposal, decided="2026-12-02") == "2027-01-29"
    assert expression("${working_day_on_or_before(d)}", d="2027-03-29") == "2027-03-24"  # Easter
    assert expression("${earliest(add_days(d, 90), add_months(d, 3))}", d="2026-12-02") == "2027-03-02"
    assert expression("${earliest(a, b)}", a=None, b="2027-01-05") == "2027-01-05"
    # A day counts until it has ended: 5 Jan 23:00 CET is within the day 5 Jan.
    assert expression("${earliest(a, b)}", a="2027-01-05", b="2027-01-05T22:00:00Z") == "2027-01-05T22:00:00Z"
    assert expression("${earliest(a, b)}", a="2027-01-05", b="2027-01-05T23:00:00Z") == "2027-01-05"


@pytest.mark.parametrize(
    "juel",
    [
        "${add_days(missing, 3)}",
        "${add_months(missing, 4)}",
        "${add_working_days(missing, 6)}",
        "${end_of_day(missing)}",
        "${working_day_on_or_before(missing)}",
        "${earliest(missing, missing)}",
    ],
)
def test_a_fact_not_recorded_yet_gives_none(juel: str) -> None:
    assert expression(juel) is None


@pytest.mark.parametrize(
    ("juel", "variables"),
    [
        ("${add_months(d, 1.5)}", {"d": "2026-12-02"}),
        ("${add_days(d, 'soon')}", {"d": "2026-12-02"}),
        ("${add_months(d, 4)}", {"d": "2026-12-02T10:00"}),  # an instant needs its offset
        ("${end_of_day(d)}", {"d": "2026-02-30"}),
    ],
)
def test_bad_values_are_refused(juel: str, variables: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        expression(juel, **variables)
