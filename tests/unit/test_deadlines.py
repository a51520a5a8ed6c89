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

from engine import deadlines as deadlines_module
from engine.bootstrap import deadline_settings
from engine.calendar import COPENHAGEN, CalendarPolicy
from engine.config import EngineSettings
from engine.deadlines import (
    DEADLINE_RULES,
    DEADLINE_VARIABLES,
    DEFAULT_SETTINGS,
    DeadlineRule,
    DeadlineSettings,
    Due,
    DueKind,
    child_plan_due,
    child_plan_reminder_on,
    derive_deadlines,
    due_after,
    due_on,
    first_follow_up_due,
    first_follow_up_or_agreed,
    format_instant,
    investigation_due,
    investigation_warning_on,
    next_follow_up_due,
    parse_day,
    parse_due,
    parse_instant,
    report_assessment_due,
    report_receipt_due,
    supervision_visit_due,
)
from engine.rules import BY_ID, Basis


def cph(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def assert_utc(actual: datetime, expected: datetime) -> None:
    assert actual.tzinfo is UTC
    assert actual == expected


def last_day(due: Due, day: date, passes_at: datetime) -> None:
    """`due` is a calendar deadline whose last day is `day`, passed at `passes_at` (UTC)."""
    assert due.kind is DueKind.CALENDAR
    assert due.due_date == day
    assert_utc(due.due_at, passes_at)


# --- The two kinds of deadline ------------------------------------------------------------


def test_a_calendar_deadline_is_met_all_through_its_last_day_and_breached_at_midnight() -> None:
    # The BFU of the issue: aware Wed 2 Dec 2026, last day Fri 2 Apr 2027 (CEST since 28 Mar).
    due = investigation_due(date(2026, 12, 2))
    last_day(due, date(2027, 4, 2), utc(2027, 4, 2, 22))
    assert due.met_by(cph(2027, 4, 2, 0, 0))
    assert due.met_by(cph(2027, 4, 2, 10))
    assert due.met_by(cph(2027, 4, 2, 23, 59))
    assert not due.met_by(cph(2027, 4, 3, 0, 0))
    assert due.variable == "2027-04-02"


def test_a_last_day_on_a_dst_switch_lasts_23_or_25_hours() -> None:
    # Sun 28 Mar 2027 (spring): ends 29 Mar 00:00 CEST = 28 Mar 22:00Z, 23 hours after it began.
    spring = Due.last_day(date(2027, 3, 28))
    assert_utc(spring.due_at, utc(2027, 3, 28, 22))
    assert spring.met_by(cph(2027, 3, 28, 23, 59))
    # Sun 31 Oct 2027 (autumn): ends 1 Nov 00:00 CET = 31 Oct 23:00Z, 25 hours after it began.
    autumn = Due.last_day(date(2027, 10, 31))
    assert_utc(autumn.due_at, utc(2027, 10, 31, 23))
    assert autumn.met_by(utc(2027, 10, 31, 22, 59))  # 23:59 CET
    assert not autumn.met_by(utc(2027, 10, 31, 23))


def test_an_elapsed_deadline_is_an_instant() -> None:
    due = report_assessment_due(cph(2026, 12, 2, 9, 30))
    assert due.kind is DueKind.ELAPSED
    assert_utc(due.due_at, utc(2026, 12, 3, 8, 30))
    assert due.due_date == date(2026, 12, 3)
    assert due.met_by(utc(2026, 12, 3, 8, 29))
    assert not due.met_by(utc(2026, 12, 3, 8, 30))
    assert due.variable == "2026-12-03T08:30:00+00:00"


def test_parse_due_reads_a_day_as_a_last_day_and_an_instant_as_elapsed() -> None:
    last_day(parse_due("2026-12-10"), date(2026, 12, 10), utc(2026, 12, 10, 23))
    last_day(parse_due(date(2026, 12, 10)), date(2026, 12, 10), utc(2026, 12, 10, 23))
    elapsed = parse_due("2026-12-10T09:00:00+01:00")
    assert (elapsed.kind, elapsed.due_at) == (DueKind.ELAPSED, utc(2026, 12, 10, 8))
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_due("2026-12-10T09:00")


def test_a_day_on_a_reminder_fires_when_the_day_begins() -> None:
    reminder = due_on("2026-12-10", deadline=False)
    assert (reminder.kind, reminder.due_date) == (DueKind.CALENDAR, date(2026, 12, 10))
    assert_utc(reminder.due_at, utc(2026, 12, 9, 23))
    last_day(due_on("2026-12-10", deadline=True), date(2026, 12, 10), utc(2026, 12, 10, 23))


def test_a_duration_of_whole_days_on_a_deadline_is_a_last_day() -> None:
    opened = cph(2026, 12, 2, 10)
    last_day(due_after(opened, "P30D", deadline=True), date(2027, 1, 1), utc(2027, 1, 1, 23))
    last_day(due_after(opened, "P4M", deadline=True), date(2027, 4, 2), utc(2027, 4, 2, 22))
    # With hours it is elapsed; on a reminder, the instant the duration ends.
    assert due_after(opened, "PT24H", deadline=True) == Due.elapsed(utc(2026, 12, 3, 9))
    assert due_after(opened, "P30D", deadline=False) == Due.elapsed(utc(2027, 1, 1, 9))


# --- The rules ----------------------------------------------------------------------------


def test_report_assessment_is_due_24_clock_hours_later_across_dst() -> None:
    # Sat 25 Oct 2025 10:00 CEST -> Sun 26 Oct 09:00 CET = 08:00Z.
    assert_utc(report_assessment_due(cph(2025, 10, 25, 10)).due_at, utc(2025, 10, 26, 8))
    # Sat 28 Mar 2026 10:00 CET -> Sun 29 Mar 11:00 CEST = 09:00Z.
    assert_utc(report_assessment_due(cph(2026, 3, 28, 10)).due_at, utc(2026, 3, 29, 9))


def test_report_receipt_is_due_on_the_sixth_working_day() -> None:
    # The report: Wed 2 Dec 2026 -> Thu 3, Fri 4, Mon 7, Tue 8, Wed 9, Thu 10 Dec.
    last_day(report_receipt_due(date(2026, 12, 2)), date(2026, 12, 10), utc(2026, 12, 10, 23))
    # Wed 27 Mar 2024 across Easter -> Tue 9 Apr; passes 10 Apr 00:00 CEST = 9 Apr 22:00Z.
    last_day(report_receipt_due(date(2024, 3, 27)), date(2024, 4, 9), utc(2024, 4, 9, 22))


def test_report_receipt_follows_the_calendar_policy() -> None:
    # Mon 22 Dec 2025: closed 24/31 Dec -> Tue 6 Jan; open -> Fri 2 Jan.
    assert report_receipt_due(date(2025, 12, 22)).due_date == date(2026, 1, 6)
    open_offices = DeadlineSettings(
        calendar=CalendarPolicy(christmas_eve_closed=False, new_years_eve_closed=False)
    )
    assert report_receipt_due(date(2025, 12, 22), open_offices).due_date == date(2026, 1, 2)


def test_investigation_is_due_after_four_months_with_a_warning_after_three() -> None:
    last_day(investigation_due(date(2026, 3, 1)), date(2026, 7, 1), utc(2026, 7, 1, 22))
    assert investigation_warning_on(date(2026, 3, 1)) == date(2026, 6, 1)
    # Month ends are clamped: 31 Oct 2025 -> 28 Feb 2026; 31 Oct 2027 -> 29 Feb 2028.
    assert investigation_due(date(2025, 10, 31)).due_date == date(2026, 2, 28)
    assert investigation_warning_on(date(2025, 10, 31)) == date(2026, 1, 31)
    assert investigation_due(date(2027, 10, 31)).due_date == date(2028, 2, 29)


def test_child_plan_is_due_three_months_after_the_decision_with_a_reminder_before() -> None:
    last_day(child_plan_due(date(2025, 11, 30)), date(2026, 2, 28), utc(2026, 2, 28, 23))
    assert child_plan_reminder_on(date(2025, 11, 30)) == date(2026, 2, 14)


def test_first_follow_up_is_the_earlier_of_three_months_and_the_end_of_a_parallel_investigation() -> None:
    started = date(2026, 1, 15)
    assert first_follow_up_due(started).due_date == date(2026, 4, 15)
    # The investigation running alongside ends first: the first follow-up falls on that day.
    assert first_follow_up_due(started, DEFAULT_SETTINGS, date(2026, 3, 2)).due_date == date(2026, 3, 2)
    # One that ends after 3 months does not move it, nor one that ended before the measure began.
    assert first_follow_up_due(started, DEFAULT_SETTINGS, date(2026, 5, 1)).due_date == date(2026, 4, 15)
    assert first_follow_up_due(started, DEFAULT_SETTINGS, date(2026, 1, 10)).due_date == date(2026, 4, 15)


def test_an_agreed_first_follow_up_is_kept_if_earlier_and_refused_before_the_start() -> None:
    started = date(2026, 1, 15)
    assert first_follow_up_or_agreed(started, date(2026, 2, 1)).due_date == date(2026, 2, 1)
    assert first_follow_up_or_agreed(started, date(2026, 6, 1)).due_date == date(2026, 4, 15)
    assert first_follow_up_or_agreed(started, None).due_date == date(2026, 4, 15)
    with pytest.raises(ValueError, match="before the start"):
        first_follow_up_or_agreed(started, date(2026, 1, 14))


HELD = date(2026, 3, 10)


def test_the_next_follow_up_is_the_agreed_day_without_a_statutory_maximum() -> None:
    # § 95 sets no interval after the first follow-up: an agreed day 9 months later stands.
    last_day(next_follow_up_due(HELD, date(2026, 12, 1)), date(2026, 12, 1), utc(2026, 12, 1, 23))
    assert next_follow_up_due(HELD, date(2026, 3, 11)).due_date == date(2026, 3, 11)


def test_without_an_agreed_day_the_municipal_default_interval_applies() -> None:
    assert next_follow_up_due(HELD, None).due_date == date(2026, 9, 10)
    monthly = DeadlineSettings(follow_up_default_months=1)
    assert next_follow_up_due(HELD, None, monthly).due_date == date(2026, 4, 10)
    assert BY_ID["follow_up_default_interval"].basis is Basis.POLICY
    assert BY_ID["follow_up"].basis is Basis.LAW


def test_next_follow_up_not_after_the_meeting_is_refused() -> None:
    with pytest.raises(ValueError, match="not after the meeting"):
        next_follow_up_due(HELD, HELD)
    with pytest.raises(ValueError, match="not after the meeting"):
        next_follow_up_due(HELD, date(2026, 3, 9))


def test_supervision_visit_is_due_six_months_after_placement_or_visit() -> None:
    last_day(supervision_visit_due(date(2025, 8, 31)), date(2026, 2, 28), utc(2026, 2, 28, 23))


def test_parse_day_reads_a_date_or_the_copenhagen_day_of_an_instant() -> None:
    assert parse_day("2026-03-01") == date(2026, 3, 1)
    assert parse_day("2026-02-28T23:30:00+00:00") == date(2026, 3, 1)  # 00:30 CET
    assert parse_day(cph(2026, 3, 1, 0, 30)) == date(2026, 3, 1)
    with pytest.raises(ValueError, match="naive"):
        parse_day(datetime(2026, 3, 1, 9))


# --- Settings -----------------------------------------------------------------------------


def test_settings_defaults() -> None:
    assert DEFAULT_SETTINGS.assessment_hours == 24
    assert DEFAULT_SETTINGS.receipt_working_days == 6
    assert DEFAULT_SETTINGS.receipt_reporter_types == frozenset(
        {"professional", "private", "child", "parent"}
    )
    assert DEFAULT_SETTINGS.investigation_months == 4
    assert DEFAULT_SETTINGS.investigation_warning_months == 3
    assert DEFAULT_SETTINGS.child_plan_months == 3
    assert DEFAULT_SETTINGS.first_follow_up_months == 3
    assert DEFAULT_SETTINGS.follow_up_default_months == 6
    assert DEFAULT_SETTINGS.supervision_interval_months == 6
    assert DEFAULT_SETTINGS.calendar == CalendarPolicy()


def test_settings_change_the_deadlines() -> None:
    custom = DeadlineSettings(assessment_hours=48, receipt_working_days=1)
    # Sat 25 Oct 2025 10:00 CEST = 08:00Z; + 48 h = Mon 27 Oct 08:00Z = 09:00 CET.
    assert_utc(report_assessment_due(cph(2025, 10, 25, 10), custom).due_at, utc(2025, 10, 27, 8))
    # Wed 27 Mar 2024 -> Tue 2 Apr.
    assert report_receipt_due(date(2024, 3, 27), custom).due_date == date(2024, 4, 2)


@pytest.mark.parametrize(
    "overrides",
    [
        {"assessment_hours": 0},
        {"receipt_working_days": -1},
        {"supervision_interval_months": 0},
        {"follow_up_default_months": 0},
        {"investigation_warning_months": 4},
        {"investigation_months": 2},
        {"receipt_reporter_types": frozenset({"professional", "neighbour"})},
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


def test_the_rule_table_lists_each_contract_variable_and_names_its_rule() -> None:
    pairs = {(rule.trigger, rule.output, rule.rule) for rule in DEADLINE_RULES}
    assert pairs == {
        ("report_received_at", "report_assessment_due", "report_assessment"),
        ("report_received_at", "report_receipt_due", "report_receipt"),
        ("investigation_started_at", "investigation_due", "investigation"),
        ("investigation_started_at", "investigation_warning_at", "investigation_warning"),
        ("decision_date", "child_plan_due", "child_plan"),
        ("decision_date", "child_plan_reminder_at", "child_plan_reminder"),
        ("intervention_started_at", "first_follow_up_due", "follow_up"),
        ("intervention_started_at", "follow_up_due", "follow_up"),
        ("follow_up_held_at", "follow_up_due", "follow_up"),
        ("placement_started_at", "supervision_visit_due", "supervision"),
        ("supervision_visit_held_at", "supervision_visit_due", "supervision"),
    }
    law = {rule.output for rule in DEADLINE_RULES if rule.basis == "law"}
    assert law == {
        "report_assessment_due",
        "investigation_due",
        "child_plan_due",
        "first_follow_up_due",
        "follow_up_due",
        "supervision_visit_due",
    }
    assert {rule.output for rule in DEADLINE_RULES if rule.basis == "law_unconfirmed"} == {
        "report_receipt_due"
    }
    assert all(rule.paragraph for rule in DEADLINE_RULES)
    assert {rule.output for rule in DEADLINE_RULES} | {
        "receipt_required",
        "follow_up_rule",
    } == DEADLINE_VARIABLES
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
        "receipt_required": True,
        "report_assessment_due": "2024-03-28T13:00:00+00:00",
        "report_receipt_due": "2024-04-09",
    }


@pytest.mark.parametrize("reporter_type", ["private", "child", "parent", "professional"])
def test_derive_a_receipt_deadline_for_every_identifiable_reporter(reporter_type: str) -> None:
    variables = {"report_received_at": "2026-12-02T10:00:00+01:00", "reporter_type": reporter_type}
    assert derive_deadlines(variables)["report_receipt_due"] == "2026-12-10"


@pytest.mark.parametrize("reporter_type", ["anonymous", "citizen", "Professional", None, 1])
def test_derive_no_receipt_deadline_for_an_anonymous_or_unknown_reporter(reporter_type: object) -> None:
    variables = {"report_received_at": "2025-10-25T08:00:00Z", "reporter_type": reporter_type}
    assert derive_deadlines(variables) == {
        "receipt_required": False,
        "report_assessment_due": "2025-10-26T08:00:00+00:00",
    }


def test_the_receipt_reporter_types_are_a_municipal_setting() -> None:
    professionals_only = DeadlineSettings(receipt_reporter_types=frozenset({"professional"}))
    variables = {"report_received_at": "2026-12-02T10:00:00+01:00", "reporter_type": "private"}
    assert "report_receipt_due" not in derive_deadlines(variables, professionals_only)
    assert derive_deadlines(variables, professionals_only)["receipt_required"] is False
    assert BY_ID["receipt_reporters"].basis is Basis.POLICY


def test_derive_investigation_deadlines_from_a_date() -> None:
    assert derive_deadlines({"investigation_started_at": "2026-03-01"}) == {
        "investigation_due": "2026-07-01",
        "investigation_warning_at": "2026-06-01",
    }
    # An instant counts from its Copenhagen day: 28 Feb 23:30Z is 1 Mar 00:30 CET.
    assert (
        derive_deadlines({"investigation_started_at": "2026-02-28T23:30:00Z"})["investigation_due"]
        == "2026-07-01"
    )


def test_derive_child_plan_deadline() -> None:
    assert derive_deadlines({"decision_date": "2025-11-30"}) == {
        "child_plan_due": "2026-02-28",
        "child_plan_reminder_at": "2026-02-14",
    }


def counting_derivations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each real computation of the deadlines (a cache hit is not one), from an empty cache."""
    calls: list[object] = []
    real = deadlines_module._derive

    def counted(facts: Any, settings: DeadlineSettings) -> dict[str, str | bool]:
        calls.append(facts)
        return real(facts, settings)

    monkeypatch.setattr(deadlines_module, "_derive", counted)
    deadlines_module._derive_cached.cache_clear()
    return calls


def test_the_deadlines_are_computed_once_per_set_of_deadline_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_derivations(monkeypatch)
    plan = {"child_plan_due": "2026-02-28", "child_plan_reminder_at": "2026-02-14"}
    first = derive_deadlines({"decision_date": "2025-11-30", "child_name": "x"})
    first["child_plan_due"] = "changed by the caller"  # does not reach the cache
    # other variables (and the derived ones themselves) do not change the deadlines
    assert derive_deadlines({"decision_date": "2025-11-30", "child_name": "y", **first}) == plan
    assert len(calls) == 1
    assert derive_deadlines({"decision_date": "2025-12-01"})["child_plan_due"] == "2026-03-01"
    four_months = DeadlineSettings(child_plan_months=4)
    assert derive_deadlines({"decision_date": "2025-11-30"}, four_months)["child_plan_due"] == "2026-03-30"
    assert len(calls) == 3  # a changed fact or setting is computed afresh
    assert derive_deadlines({"decision_date": "2025-11-30", "reporter_type": ["a list"]}) == plan
    assert len(calls) == 4  # a fact that cannot be a cache key is computed, not cached


def test_a_rule_reading_a_fact_outside_the_deadline_facts_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counting_derivations(monkeypatch)
    reads_a_name = DeadlineRule(
        "x_due", "decision_date", "child_plan", lambda facts, _: parse_day(facts.get("x"))
    )
    monkeypatch.setattr(deadlines_module, "DEADLINE_RULES", (*DEADLINE_RULES, reads_a_name))
    with pytest.raises(RuntimeError, match="'x', which is not in DEADLINE_FACTS"):
        derive_deadlines({"decision_date": "2025-11-30", "x": "2025-12-01"})


def test_derive_first_follow_up_deadline() -> None:
    assert derive_deadlines({"intervention_started_at": "2026-01-15"}) == {
        "first_follow_up_due": "2026-04-15",
        "follow_up_due": "2026-04-15",
        "follow_up_rule": "follow_up",
    }


def test_derive_the_first_follow_up_at_the_end_of_a_parallel_investigation() -> None:
    # A § 46 placement started 15 Jan during a BFU that finished 2 Mar: the first follow-up
    # falls on 2 Mar, not 15 Apr; an agreed day after that is capped at it.
    variables = {
        "intervention_started_at": "2026-01-15",
        "investigation_completed_at": "2026-03-02",
        "next_follow_up_date": "2026-04-01",
    }
    assert derive_deadlines(variables) == {
        "first_follow_up_due": "2026-03-02",
        "follow_up_due": "2026-03-02",
        "follow_up_rule": "follow_up",
    }
    # A BFU finished before the measure started is not running alongside it.
    earlier = {"intervention_started_at": "2026-01-15", "investigation_completed_at": "2026-01-10"}
    assert derive_deadlines(earlier)["follow_up_due"] == "2026-04-15"


def test_an_agreed_first_follow_up_before_three_months_is_kept() -> None:
    variables = {"intervention_started_at": "2026-01-15", "next_follow_up_date": "2026-02-01"}
    assert derive_deadlines(variables)["follow_up_due"] == "2026-02-01"


@pytest.mark.parametrize(
    ("next_date", "expected", "rule"),
    [
        (None, "2026-09-10", "follow_up_default_interval"),  # no agreed day: municipal policy
        ("2026-05-01", "2026-05-01", "follow_up"),
        ("2026-05-01T14:00:00+02:00", "2026-05-01", "follow_up"),  # an instant means its day
        ("2026-12-01", "2026-12-01", "follow_up"),  # no statutory maximum after the first follow-up
    ],
)
def test_derive_follow_up_deadline(next_date: object, expected: str, rule: str) -> None:
    variables = {"follow_up_held_at": "2026-03-10", "next_follow_up_date": next_date}
    assert derive_deadlines(variables) == {"follow_up_due": expected, "follow_up_rule": rule}


def test_derive_follow_up_without_the_next_date_variable() -> None:
    assert derive_deadlines({"follow_up_held_at": "2026-03-10"}) == {
        "follow_up_due": "2026-09-10",
        "follow_up_rule": "follow_up_default_interval",
    }


@pytest.mark.parametrize("bad", ["soon", "2026-02-30", "2026-05-01T09:00", "2026-03-10", "2026-03-01", 7])
def test_derive_follow_up_refuses_a_bad_next_date_naming_it(bad: object) -> None:
    variables = {"follow_up_held_at": "2026-03-10", "next_follow_up_date": bad}
    with pytest.raises(ValueError, match="next_follow_up_date"):
        derive_deadlines(variables)


def test_derive_supervision_from_placement_then_from_the_last_visit() -> None:
    placed = {"placement_started_at": "2025-08-31"}
    assert derive_deadlines(placed) == {"supervision_visit_due": "2026-02-28"}
    visited = {**placed, "supervision_visit_held_at": "2026-01-20"}
    assert derive_deadlines(visited) == {"supervision_visit_due": "2026-07-20"}


def test_a_changed_trigger_moves_the_deadline() -> None:
    assert derive_deadlines({"investigation_started_at": "2026-03-01"})["investigation_due"] == "2026-07-01"
    assert derive_deadlines({"investigation_started_at": "2026-03-15"})["investigation_due"] == "2026-07-15"


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
        "receipt_required": True,
        "report_assessment_due": "2025-12-23T10:00:00+00:00",
        "report_receipt_due": "2026-01-02",
        "child_plan_due": "2025-12-30",
        "child_plan_reminder_at": "2025-12-16",
    }


@pytest.mark.parametrize(
    ("trigger", "value"),
    [
        ("report_received_at", "yesterday"),
        ("report_received_at", "2026-03-29T02:30"),
        ("investigation_started_at", 20260301),
        ("decision_date", "2026-02-30"),
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
        "investigation_started_at": "2026-02-28T23:30:00Z",
        "follow_up_held_at": "2026-03-10",
        "next_follow_up_date": "2026-05-01",
    }
    assert derive_deadlines(variables) == {
        "receipt_required": True,
        "report_assessment_due": "2024-03-28T13:00:00+00:00",
        "report_receipt_due": "2024-04-09",
        "investigation_due": "2026-07-01",
        "investigation_warning_at": "2026-06-01",
        "follow_up_due": "2026-05-01",
        "follow_up_rule": "follow_up",
    }


# --- Properties ---------------------------------------------------------------------------


@settings(database=None, max_examples=200)
@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    instant=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2091, 1, 2), timezones=st.just(UTC)
    ),
)
def test_a_last_day_is_met_exactly_by_the_instants_of_that_day_or_before(
    day: date, instant: datetime
) -> None:
    due = Due.last_day(day)
    local_day = instant.astimezone(COPENHAGEN).date()
    assert due.met_by(instant) == (local_day <= day)


def test_a_follow_up_or_visit_of_an_earlier_measure_does_not_count_for_the_next() -> None:
    # The case data keep the last follow-up of the first measure; the second measure started later.
    variables = {
        "intervention_started_at": "2026-09-01",
        "follow_up_held_at": "2026-05-10",
        "next_follow_up_date": "2026-10-01",
    }
    assert derive_deadlines(variables)["follow_up_due"] == "2026-10-01"  # the agreed first follow-up
    placed = {"placement_started_at": "2026-09-01", "supervision_visit_held_at": "2026-03-01"}
    assert derive_deadlines(placed)["supervision_visit_due"] == "2027-03-01"


def test_the_municipal_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """README: SAGSFLOW_FOLLOW_UP_DEFAULT_MONTHS, SAGSFLOW_RECEIPT_REPORTER_TYPES, … reach the rules."""
    monkeypatch.setenv("SAGSFLOW_FOLLOW_UP_DEFAULT_MONTHS", "2")
    monkeypatch.setenv("SAGSFLOW_RECEIPT_REPORTER_TYPES", " professional, parent ")
    monkeypatch.setenv("SAGSFLOW_SUPERVISION_INTERVAL_MONTHS", "4")
    chosen = deadline_settings(EngineSettings())
    assert chosen.receipt_reporter_types == frozenset({"professional", "parent"})
    assert next_follow_up_due(HELD, None, chosen).due_date == date(2026, 5, 10)
    assert (chosen.supervision_interval_months, chosen.investigation_months) == (4, 4)  # the law's stays
