"""Tests of engine.deadlines. Every expectation is computed by hand and written as a literal.

Local times are Copenhagen: CET = UTC+1 (winter), CEST = UTC+2 (summer).
"""

from __future__ import annotations

import os
import time as process_time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import COPENHAGEN, CalendarPolicy
from engine.deadlines import (
    DEADLINE_RULES,
    DEADLINE_VARIABLES,
    DEFAULT_SETTINGS,
    DeadlineSettings,
    child_plan_due,
    derive_deadlines,
    first_follow_up_due,
    format_instant,
    investigation_due,
    investigation_warning_at,
    next_follow_up_due,
    parse_instant,
    report_assessment_due,
    report_receipt_due,
    supervision_visit_due,
)


def cph(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def assert_utc(actual: datetime, expected: datetime) -> None:
    assert actual.tzinfo is UTC
    assert actual == expected


# --- The rules ----------------------------------------------------------------------------


def test_report_assessment_is_due_24_clock_hours_later_across_dst() -> None:
    # Sat 25 Oct 2025 10:00 CEST -> Sun 26 Oct 09:00 CET = 08:00Z.
    assert_utc(report_assessment_due(cph(2025, 10, 25, 10)), utc(2025, 10, 26, 8))
    # Sat 28 Mar 2026 10:00 CET -> Sun 29 Mar 11:00 CEST = 09:00Z.
    assert_utc(report_assessment_due(cph(2026, 3, 28, 10)), utc(2026, 3, 29, 9))


def test_report_receipt_is_due_after_six_working_days() -> None:
    # Wed 27 Mar 2024 -> Tue 2 ... Tue 9 Apr -> 10 Apr 00:00 CEST = 9 Apr 22:00Z.
    assert_utc(report_receipt_due(cph(2024, 3, 27, 14)), utc(2024, 4, 9, 22))


def test_report_receipt_follows_the_calendar_policy() -> None:
    # Mon 22 Dec 2025: closed 24/31 Dec -> 7 Jan 00:00 CET; open -> 3 Jan 00:00 CET.
    received = cph(2025, 12, 22, 11)
    assert_utc(report_receipt_due(received), utc(2026, 1, 6, 23))
    open_offices = DeadlineSettings(
        calendar=CalendarPolicy(christmas_eve_closed=False, new_years_eve_closed=False)
    )
    assert_utc(report_receipt_due(received, open_offices), utc(2026, 1, 2, 23))


def test_investigation_is_due_after_four_months_with_a_warning_after_three() -> None:
    learned = cph(2026, 3, 1, 0, 30)  # CET
    # 1 Jul 2026 00:30 CEST = 30 Jun 22:30Z; 1 Jun 2026 00:30 CEST = 31 May 22:30Z.
    assert_utc(investigation_due(learned), utc(2026, 6, 30, 22, 30))
    assert_utc(investigation_warning_at(learned), utc(2026, 5, 31, 22, 30))
    # 31 Oct 2025 10:00 CET -> 28 Feb 2026 10:00 CET; warning 31 Jan 2026 10:00 CET.
    assert_utc(investigation_due(cph(2025, 10, 31, 10)), utc(2026, 2, 28, 9))
    assert_utc(investigation_warning_at(cph(2025, 10, 31, 10)), utc(2026, 1, 31, 9))
    # 31 Oct 2027 10:00 CET -> 29 Feb 2028 10:00 CET.
    assert_utc(investigation_due(cph(2027, 10, 31, 10)), utc(2028, 2, 29, 9))


def test_child_plan_is_due_three_months_after_the_decision() -> None:
    # 30 Nov 2025 14:00 CET -> 28 Feb 2026 14:00 CET = 13:00Z.
    assert_utc(child_plan_due(cph(2025, 11, 30, 14)), utc(2026, 2, 28, 13))


def test_first_follow_up_is_due_three_months_after_the_start() -> None:
    # 15 Jan 2026 10:00 CET -> 15 Apr 2026 10:00 CEST = 08:00Z.
    assert_utc(first_follow_up_due(cph(2026, 1, 15, 10)), utc(2026, 4, 15, 8))


HELD = cph(2026, 3, 10, 13)  # 12:00Z
FLOOR = utc(2026, 9, 10, 11)  # 10 Sep 2026 13:00 CEST


def test_next_follow_up_without_an_agreed_date_is_the_floor() -> None:
    assert_utc(next_follow_up_due(HELD, None), FLOOR)


def test_next_follow_up_keeps_an_earlier_agreed_date() -> None:
    # A date means 09:00 Copenhagen: 1 May 2026 09:00 CEST = 07:00Z.
    assert_utc(next_follow_up_due(HELD, date(2026, 5, 1)), utc(2026, 5, 1, 7))
    assert_utc(next_follow_up_due(HELD, cph(2026, 4, 14, 10)), utc(2026, 4, 14, 8))
    # The floor day itself at 09:00 is still before the floor instant (13:00).
    assert_utc(next_follow_up_due(HELD, date(2026, 9, 10)), utc(2026, 9, 10, 7))


def test_next_follow_up_beyond_six_months_is_capped_at_the_floor() -> None:
    assert_utc(next_follow_up_due(HELD, date(2026, 12, 1)), FLOOR)
    assert_utc(next_follow_up_due(HELD, cph(2026, 9, 10, 14)), FLOOR)


def test_next_follow_up_with_a_shorter_floor() -> None:
    # Floor of 1 month: 10 Apr 2026 13:00 CEST = 11:00Z.
    monthly = DeadlineSettings(follow_up_floor_months=1)
    assert_utc(next_follow_up_due(HELD, date(2026, 5, 1), monthly), utc(2026, 4, 10, 11))


def test_next_follow_up_not_after_the_meeting_is_refused() -> None:
    with pytest.raises(ValueError, match="not after the meeting"):
        next_follow_up_due(HELD, date(2026, 3, 10))  # 09:00, before the 13:00 meeting
    with pytest.raises(ValueError, match="not after the meeting"):
        next_follow_up_due(HELD, HELD)
    with pytest.raises(ValueError, match="naive"):
        next_follow_up_due(HELD, datetime(2026, 5, 1, 9))


def test_supervision_visit_is_due_six_months_after_placement_or_visit() -> None:
    # 31 Aug 2025 12:00 CEST -> 28 Feb 2026 12:00 CET = 11:00Z.
    assert_utc(supervision_visit_due(cph(2025, 8, 31, 12)), utc(2026, 2, 28, 11))


def test_rules_refuse_naive_instants() -> None:
    naive = datetime(2026, 3, 1, 9)
    for rule in (
        report_assessment_due,
        report_receipt_due,
        investigation_due,
        investigation_warning_at,
        child_plan_due,
        first_follow_up_due,
        supervision_visit_due,
    ):
        with pytest.raises(ValueError, match="naive"):
            rule(naive, DEFAULT_SETTINGS)
    with pytest.raises(ValueError, match="naive"):
        next_follow_up_due(naive, None)


# --- Settings -----------------------------------------------------------------------------


def test_settings_defaults() -> None:
    assert DEFAULT_SETTINGS.assessment_hours == 24
    assert DEFAULT_SETTINGS.receipt_working_days == 6
    assert DEFAULT_SETTINGS.investigation_months == 4
    assert DEFAULT_SETTINGS.investigation_warning_months == 3
    assert DEFAULT_SETTINGS.child_plan_months == 3
    assert DEFAULT_SETTINGS.first_follow_up_months == 3
    assert DEFAULT_SETTINGS.follow_up_floor_months == 6
    assert DEFAULT_SETTINGS.supervision_interval_months == 6
    assert DEFAULT_SETTINGS.calendar == CalendarPolicy()


def test_settings_change_the_deadlines() -> None:
    custom = DeadlineSettings(assessment_hours=48, receipt_working_days=1)
    # Sat 25 Oct 2025 10:00 CEST = 08:00Z; + 48 h = Mon 27 Oct 08:00Z = 09:00 CET.
    assert_utc(report_assessment_due(cph(2025, 10, 25, 10), custom), utc(2025, 10, 27, 8))
    # Wed 27 Mar 2024 -> Tue 2 Apr -> 3 Apr 00:00 CEST.
    assert_utc(report_receipt_due(cph(2024, 3, 27, 14), custom), utc(2024, 4, 2, 22))


@pytest.mark.parametrize(
    "overrides",
    [
        {"assessment_hours": 0},
        {"receipt_working_days": -1},
        {"supervision_interval_months": 0},
        {"investigation_warning_months": 4},
        {"investigation_months": 2},
    ],
)
def test_invalid_settings_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        DeadlineSettings(**overrides)


# --- parse_instant and format_instant -----------------------------------------------------


def test_parse_instant_reads_offsets_and_z() -> None:
    assert_utc(parse_instant("2026-03-01T09:00:00Z"), utc(2026, 3, 1, 9))
    assert_utc(parse_instant("2026-03-01T10:00:00+01:00"), utc(2026, 3, 1, 9))
    assert_utc(parse_instant("2026-03-01T09:00:00+00:00"), utc(2026, 3, 1, 9))
    assert_utc(
        parse_instant("2026-07-01T09:00:00.250+02:00"),
        utc(2026, 7, 1, 7) + timedelta(milliseconds=250),
    )


def test_parse_instant_reads_a_date_as_local_midnight() -> None:
    assert_utc(parse_instant("2026-03-01"), utc(2026, 2, 28, 23))  # CET
    assert_utc(parse_instant("2026-07-01"), utc(2026, 6, 30, 22))  # CEST
    assert_utc(parse_instant(date(2026, 7, 1)), utc(2026, 6, 30, 22))


def test_parse_instant_accepts_aware_datetimes() -> None:
    assert_utc(parse_instant(cph(2026, 3, 1, 10)), utc(2026, 3, 1, 9))


@pytest.mark.parametrize(
    "bad",
    [
        "2026-03-29T02:30",  # naive: meaning depends on the server's zone
        "2026-03-01T09:00:00",
        "2026-02-30",
        "2026-13-01",
        "01-03-2026",
        "yesterday",
        "",
        42,
        True,
        None,
        datetime(2026, 3, 1, 9),
    ],
)
def test_parse_instant_refuses_everything_else(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_instant(bad)


def test_parse_instant_explains_a_missing_offset() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_instant("2026-03-29T02:30")


def test_format_instant_writes_utc_with_an_explicit_offset() -> None:
    assert format_instant(cph(2026, 3, 1, 10)) == "2026-03-01T09:00:00+00:00"
    assert format_instant(cph(2026, 7, 1, 0, 30)) == "2026-06-30T22:30:00+00:00"
    with pytest.raises(ValueError, match="naive"):
        format_instant(datetime(2026, 3, 1, 9))


# --- The rule table -----------------------------------------------------------------------


def test_the_rule_table_lists_each_contract_variable_and_marks_the_unverified() -> None:
    pairs = {(rule.trigger, rule.output) for rule in DEADLINE_RULES}
    assert pairs == {
        ("report_received_at", "report_assessment_due"),
        ("report_received_at", "report_receipt_due"),
        ("investigation_started_at", "investigation_due"),
        ("investigation_started_at", "investigation_warning_at"),
        ("decision_date", "child_plan_due"),
        ("decision_date", "child_plan_reminder_at"),
        ("intervention_started_at", "first_follow_up_due"),
        ("intervention_started_at", "follow_up_due"),
        ("follow_up_held_at", "follow_up_due"),
        ("placement_started_at", "supervision_visit_due"),
        ("supervision_visit_held_at", "supervision_visit_due"),
    }
    verified = {rule.output for rule in DEADLINE_RULES if rule.verified}
    assert verified == {"report_assessment_due", "investigation_due", "child_plan_due"}
    assert all(rule.paragraph for rule in DEADLINE_RULES)
    assert {rule.output for rule in DEADLINE_RULES} == DEADLINE_VARIABLES
    # The supervision visit rule comes after the placement rule, so it wins.
    triggers = [rule.trigger for rule in DEADLINE_RULES]
    assert triggers.index("supervision_visit_held_at") > triggers.index("placement_started_at")
    # A held follow-up replaces the first follow-up deadline.
    assert triggers.index("follow_up_held_at") > triggers.index("intervention_started_at")


def test_derive_nothing_from_no_facts() -> None:
    assert derive_deadlines({}) == {}
    assert derive_deadlines({"report_received_at": None, "child_name": "x"}) == {}
    # A deadline variable without its trigger is not read back.
    assert derive_deadlines({"report_assessment_due": "2026-01-01T00:00:00+00:00"}) == {}


def test_derive_report_deadlines_for_a_professional_reporter() -> None:
    variables = {"report_received_at": "2024-03-27T14:00:00+01:00", "reporter_type": "professional"}
    assert derive_deadlines(variables) == {
        "report_assessment_due": "2024-03-28T13:00:00+00:00",
        "report_receipt_due": "2024-04-09T22:00:00+00:00",
    }


@pytest.mark.parametrize("reporter_type", ["citizen", "anonymous", "Professional", None, 1])
def test_derive_no_receipt_deadline_unless_the_reporter_is_professional(
    reporter_type: object,
) -> None:
    variables = {"report_received_at": "2025-10-25T08:00:00Z", "reporter_type": reporter_type}
    assert derive_deadlines(variables) == {"report_assessment_due": "2025-10-26T08:00:00+00:00"}


def test_derive_no_receipt_deadline_without_a_reporter_type() -> None:
    variables = {"report_received_at": "2025-10-25T08:00:00Z"}
    assert derive_deadlines(variables) == {"report_assessment_due": "2025-10-26T08:00:00+00:00"}


def test_derive_investigation_deadlines_from_a_date() -> None:
    # 1 Mar 2026 00:00 CET -> 1 Jul 00:00 CEST and 1 Jun 00:00 CEST.
    assert derive_deadlines({"investigation_started_at": "2026-03-01"}) == {
        "investigation_due": "2026-06-30T22:00:00+00:00",
        "investigation_warning_at": "2026-05-31T22:00:00+00:00",
    }


def test_derive_child_plan_deadline() -> None:
    # 30 Nov 2025 00:00 CET -> 28 Feb 2026 00:00 CET; reminder 14 days earlier: 14 Feb 00:00 CET.
    assert derive_deadlines({"decision_date": "2025-11-30"}) == {
        "child_plan_due": "2026-02-27T23:00:00+00:00",
        "child_plan_reminder_at": "2026-02-13T23:00:00+00:00",
    }


def test_derive_first_follow_up_deadline() -> None:
    # 15 Jan 2026 10:00 CET -> 15 Apr 2026 10:00 CEST; with no agreed date the running
    # follow-up deadline is the same instant.
    assert derive_deadlines({"intervention_started_at": "2026-01-15T10:00:00+01:00"}) == {
        "first_follow_up_due": "2026-04-15T08:00:00+00:00",
        "follow_up_due": "2026-04-15T08:00:00+00:00",
    }


def test_an_agreed_first_follow_up_before_three_months_is_kept() -> None:
    variables = {"intervention_started_at": "2026-01-15T10:00:00+01:00", "next_follow_up_date": "2026-02-01"}
    assert derive_deadlines(variables)["follow_up_due"] == "2026-02-01T08:00:00+00:00"  # 09:00 CET


@pytest.mark.parametrize(
    ("next_date", "expected"),
    [
        (None, "2026-09-10T11:00:00+00:00"),  # no agreed date: the floor
        ("2026-05-01", "2026-05-01T07:00:00+00:00"),  # 09:00 CEST
        ("2026-05-01T14:00:00+02:00", "2026-05-01T12:00:00+00:00"),
        ("2026-12-01", "2026-09-10T11:00:00+00:00"),  # capped at the floor
    ],
)
def test_derive_follow_up_deadline(next_date: object, expected: str) -> None:
    variables = {"follow_up_held_at": "2026-03-10T13:00:00+01:00", "next_follow_up_date": next_date}
    assert derive_deadlines(variables) == {"follow_up_due": expected}


def test_derive_follow_up_without_the_next_date_variable() -> None:
    variables = {"follow_up_held_at": "2026-03-10T13:00:00+01:00"}
    assert derive_deadlines(variables) == {"follow_up_due": "2026-09-10T11:00:00+00:00"}


@pytest.mark.parametrize("bad", ["soon", "2026-02-30", "2026-05-01T09:00", "2026-03-01", 7])
def test_derive_follow_up_refuses_a_bad_next_date_naming_it(bad: object) -> None:
    variables = {"follow_up_held_at": "2026-03-10T13:00:00+01:00", "next_follow_up_date": bad}
    with pytest.raises(ValueError, match="next_follow_up_date"):
        derive_deadlines(variables)


def test_derive_supervision_from_placement_then_from_the_last_visit() -> None:
    placed = {"placement_started_at": "2025-08-31T12:00:00+02:00"}
    assert derive_deadlines(placed) == {"supervision_visit_due": "2026-02-28T11:00:00+00:00"}
    # 20 Jan 2026 10:00 CET -> 20 Jul 2026 10:00 CEST.
    visited = {**placed, "supervision_visit_held_at": "2026-01-20T10:00:00+01:00"}
    assert derive_deadlines(visited) == {"supervision_visit_due": "2026-07-20T08:00:00+00:00"}


def test_a_changed_trigger_moves_the_deadline() -> None:
    first = derive_deadlines({"investigation_started_at": "2026-03-01T09:00:00+01:00"})
    moved = derive_deadlines({"investigation_started_at": "2026-03-15T09:00:00+01:00"})
    assert first["investigation_due"] == "2026-07-01T07:00:00+00:00"
    assert moved["investigation_due"] == "2026-07-15T07:00:00+00:00"


def test_derive_everything_at_once_with_custom_settings() -> None:
    variables = {
        "report_received_at": "2025-12-22T11:00:00+01:00",
        "reporter_type": "professional",
        "decision_date": "2025-11-30",
    }
    open_offices = DeadlineSettings(
        child_plan_months=1,
        calendar=CalendarPolicy(christmas_eve_closed=False, new_years_eve_closed=False),
    )
    assert derive_deadlines(variables, open_offices) == {
        "report_assessment_due": "2025-12-23T10:00:00+00:00",
        "report_receipt_due": "2026-01-02T23:00:00+00:00",
        "child_plan_due": "2025-12-29T23:00:00+00:00",  # 30 Dec 2025 00:00 CET
        "child_plan_reminder_at": "2025-12-15T23:00:00+00:00",  # 16 Dec 2025 00:00 CET
    }


@pytest.mark.parametrize(
    ("trigger", "value"),
    [
        ("report_received_at", "yesterday"),
        ("report_received_at", "2026-03-29T02:30"),
        ("investigation_started_at", 20260301),
        ("decision_date", "2026-02-30"),
        ("placement_started_at", ""),
        ("supervision_visit_held_at", ["2026-01-01"]),
    ],
)
def test_derive_refuses_an_unparseable_trigger_naming_it(trigger: str, value: object) -> None:
    with pytest.raises(ValueError, match=trigger):
        derive_deadlines({trigger: value})


# --- Independence of the process time zone ------------------------------------------------


@pytest.fixture(params=["UTC", "Europe/Copenhagen", "Pacific/Auckland"])
def process_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    zone: str = request.param
    saved = os.environ.get("TZ")
    os.environ["TZ"] = zone
    process_time.tzset()
    try:
        yield zone
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        process_time.tzset()


def test_derived_deadlines_do_not_depend_on_the_process_time_zone(process_tz: str) -> None:
    assert os.environ["TZ"] == process_tz
    variables = {
        "report_received_at": "2024-03-27T14:00:00+01:00",
        "reporter_type": "professional",
        "investigation_started_at": "2026-03-01",
        "follow_up_held_at": "2026-03-10T13:00:00+01:00",
        "next_follow_up_date": "2026-05-01",
    }
    assert derive_deadlines(variables) == {
        "report_assessment_due": "2024-03-28T13:00:00+00:00",
        "report_receipt_due": "2024-04-09T22:00:00+00:00",
        "investigation_due": "2026-06-30T22:00:00+00:00",
        "investigation_warning_at": "2026-05-31T22:00:00+00:00",
        "follow_up_due": "2026-05-01T07:00:00+00:00",
    }


# --- Properties ---------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
)


@settings(database=None, max_examples=200)
@given(
    held=instants,
    offset=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=800)),
)
def test_next_follow_up_is_after_the_meeting_and_never_after_the_floor(
    held: datetime, offset: timedelta
) -> None:
    due = next_follow_up_due(held, held + offset)
    floor = next_follow_up_due(held, None)
    assert held < due <= floor
    assert due == min(held + offset, floor)
