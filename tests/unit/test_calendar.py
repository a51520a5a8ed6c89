"""Tests of engine.calendar. Every expectation is computed by hand and written as a literal.

Local times are Copenhagen: CET = UTC+1 (winter), CEST = UTC+2 (summer). Switches used here:
2024-03-31, 2025-10-26, 2026-03-29 and 2027-10-31.
"""

from __future__ import annotations

import os
import time as process_time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import (
    COPENHAGEN,
    DEFAULT_POLICY,
    CalendarPolicy,
    IsoDuration,
    add_days,
    add_elapsed,
    add_iso_duration,
    add_months,
    add_working_days,
    at_local_time,
    is_public_holiday,
    is_working_day,
    local_date,
    next_cycle_slot,
    parse_iso_duration,
    to_utc,
)


def cph(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Copenhagen wall time (never a skipped or repeated one in these tests)."""
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def assert_utc(actual: datetime, expected: datetime) -> None:
    assert actual.tzinfo is UTC
    assert actual == expected


OPEN_ON_CLOSABLE_DAYS = CalendarPolicy(
    christmas_eve_closed=False, new_years_eve_closed=False, constitution_day_closed=False
)


# --- Holidays and working days ------------------------------------------------------------


def test_store_bededag_is_a_holiday_in_2023_and_a_working_day_from_2024() -> None:
    assert is_public_holiday(date(2023, 5, 5))
    assert not is_working_day(date(2023, 5, 5))
    assert not is_public_holiday(date(2024, 4, 26))
    assert is_working_day(date(2024, 4, 26))


def test_fixed_and_easter_holidays() -> None:
    for holiday in (
        date(2025, 1, 1),
        date(2025, 4, 17),  # Maundy Thursday
        date(2025, 4, 18),  # Good Friday
        date(2025, 4, 21),  # Easter Monday
        date(2025, 5, 29),  # Ascension Day
        date(2025, 6, 9),  # Whit Monday
        date(2025, 12, 25),
        date(2025, 12, 26),
    ):
        assert is_public_holiday(holiday), holiday
        assert not is_working_day(holiday), holiday


def test_closable_days_are_not_public_holidays_and_follow_the_policy() -> None:
    # All three fall on weekdays in 2025: Wed 24 Dec, Wed 31 Dec, Thu 5 Jun.
    for day in (date(2025, 12, 24), date(2025, 12, 31), date(2025, 6, 5)):
        assert not is_public_holiday(day)
        assert not is_working_day(day)
        assert not is_working_day(day, DEFAULT_POLICY)
        assert is_working_day(day, OPEN_ON_CLOSABLE_DAYS)


def test_each_closure_flag_acts_alone() -> None:
    assert is_working_day(date(2025, 12, 24), CalendarPolicy(christmas_eve_closed=False))
    assert not is_working_day(date(2025, 12, 31), CalendarPolicy(christmas_eve_closed=False))
    assert is_working_day(date(2025, 12, 31), CalendarPolicy(new_years_eve_closed=False))
    assert is_working_day(date(2025, 6, 5), CalendarPolicy(constitution_day_closed=False))
    assert not is_working_day(date(2025, 6, 5), CalendarPolicy(new_years_eve_closed=False))


def test_weekends_and_extra_closed_days() -> None:
    assert is_working_day(date(2026, 1, 9))  # Friday
    assert not is_working_day(date(2026, 1, 10))  # Saturday
    assert not is_working_day(date(2026, 1, 11))  # Sunday
    assert is_working_day(date(2025, 5, 1))  # 1 May is not a holiday by default
    policy = CalendarPolicy(extra_closed_days=frozenset({date(2025, 5, 1)}))
    assert not is_working_day(date(2025, 5, 1), policy)


def test_a_datetime_is_refused_where_a_date_is_expected() -> None:
    with pytest.raises(TypeError):
        is_working_day(cph(2026, 1, 9, 10))
    with pytest.raises(TypeError):
        is_public_holiday(cph(2026, 1, 1, 10))


# --- Instants -----------------------------------------------------------------------------


def test_naive_instants_are_refused_everywhere() -> None:
    naive = datetime(2026, 3, 1, 9, 0)
    calls: tuple[Callable[[], object], ...] = (
        lambda: to_utc(naive),
        lambda: local_date(naive),
        lambda: add_elapsed(naive, timedelta(hours=1)),
        lambda: add_months(naive, 1),
        lambda: add_days(naive, 1),
        lambda: add_working_days(naive, 1),
        lambda: add_iso_duration(naive, "P1D"),
        lambda: next_cycle_slot(naive, "P1M", utc(2026, 5, 1)),
        lambda: next_cycle_slot(utc(2026, 1, 1), "P1M", naive),
    )
    for call in calls:
        with pytest.raises(ValueError, match="naive"):
            call()


def test_local_date_is_the_copenhagen_day() -> None:
    assert local_date(utc(2026, 1, 11, 23, 30)) == date(2026, 1, 12)  # 00:30 CET on Monday
    assert local_date(utc(2026, 6, 30, 21, 59)) == date(2026, 6, 30)  # 23:59 CEST


def test_at_local_time_resolves_gap_forward_and_fold_to_first_occurrence() -> None:
    assert_utc(at_local_time(date(2026, 3, 29), time(2, 30)), utc(2026, 3, 29, 1, 30))
    assert_utc(at_local_time(date(2025, 10, 26), time(2, 30)), utc(2025, 10, 26, 0, 30))
    assert_utc(at_local_time(date(2026, 1, 15), time(9, 0)), utc(2026, 1, 15, 8, 0))


# --- Elapsed time -------------------------------------------------------------------------


def test_24_hours_across_the_autumn_switch_is_09_00_next_day() -> None:
    # Sat 25 Oct 2025 10:00 CEST = 08:00Z; + 24 h = Sun 08:00Z = 09:00 CET.
    due = add_elapsed(cph(2025, 10, 25, 10), timedelta(hours=24))
    assert_utc(due, utc(2025, 10, 26, 8))
    assert due.astimezone(COPENHAGEN).hour == 9


def test_24_hours_across_the_spring_switch_is_11_00_next_day() -> None:
    # Sat 28 Mar 2026 10:00 CET = 09:00Z; + 24 h = Sun 09:00Z = 11:00 CEST.
    due = add_elapsed(cph(2026, 3, 28, 10), timedelta(hours=24))
    assert_utc(due, utc(2026, 3, 29, 9))
    assert due.astimezone(COPENHAGEN).hour == 11


# --- Civil months and days ----------------------------------------------------------------


def test_four_months_keeps_the_wall_time_across_dst() -> None:
    # 1 Mar 2026 00:30 CET (28 Feb 23:30Z) -> 1 Jul 2026 00:30 CEST (30 Jun 22:30Z).
    assert_utc(add_months(cph(2026, 3, 1, 0, 30), 4), utc(2026, 6, 30, 22, 30))


def test_months_are_clamped_to_the_month_end() -> None:
    # 31 Oct 2025 10:00 CET -> 28 Feb 2026 10:00 CET.
    assert_utc(add_months(cph(2025, 10, 31, 10), 4), utc(2026, 2, 28, 9))
    # 31 Oct 2027 is the autumn switch day; 10:00 is after it (CET) -> 29 Feb 2028 10:00 CET.
    assert_utc(add_months(cph(2027, 10, 31, 10), 4), utc(2028, 2, 29, 9))
    # 31 Jan 2024 -> 29 Feb 2024 (leap year); 31 Jan 2025 -> 28 Feb 2025.
    assert_utc(add_months(cph(2024, 1, 31, 12), 1), utc(2024, 2, 29, 11))
    assert_utc(add_months(cph(2025, 1, 31, 12), 1), utc(2025, 2, 28, 11))
    # 31 Aug 2025 10:00 CEST -> 30 Nov 2025 10:00 CET.
    assert_utc(add_months(cph(2025, 8, 31, 10), 3), utc(2025, 11, 30, 9))


def test_months_cross_the_year_and_go_backwards() -> None:
    assert_utc(add_months(cph(2025, 11, 15, 9), 3), utc(2026, 2, 15, 8))
    assert_utc(add_months(cph(2026, 3, 31, 9), -1), utc(2026, 2, 28, 8))
    assert_utc(add_months(cph(2026, 1, 15, 9), 24), utc(2028, 1, 15, 8))


def test_a_month_landing_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    # 29 Jan 2026 02:30 CET + 2 months = 29 Mar 2026 02:30, which is skipped -> 03:30 CEST.
    assert_utc(add_months(cph(2026, 1, 29, 2, 30), 2), utc(2026, 3, 29, 1, 30))
    # Sat 28 Mar 2026 02:30 CET + 1 day -> the same.
    assert_utc(add_days(cph(2026, 3, 28, 2, 30), 1), utc(2026, 3, 29, 1, 30))


def test_a_month_landing_in_the_autumn_fold_takes_the_first_occurrence() -> None:
    # 26 Sep 2025 02:30 CEST + 1 month = 26 Oct 2025 02:30, twice -> 02:30 CEST = 00:30Z.
    assert_utc(add_months(cph(2025, 9, 26, 2, 30), 1), utc(2025, 10, 26, 0, 30))


def test_adding_nothing_keeps_the_second_occurrence_of_a_repeated_hour() -> None:
    second = utc(2025, 10, 26, 1, 30)  # 02:30 CET, the second 02:30 that night
    assert_utc(add_months(second, 0), second)
    assert_utc(add_days(second, 0), second)
    assert_utc(add_iso_duration(second, "PT1H"), utc(2025, 10, 26, 2, 30))


def test_a_civil_day_is_not_24_hours_across_the_switch() -> None:
    # Sat 25 Oct 2025 10:00 CEST + 1 day = Sun 10:00 CET = 09:00Z (25 real hours).
    assert_utc(add_days(cph(2025, 10, 25, 10), 1), utc(2025, 10, 26, 9))
    assert_utc(add_days(cph(2026, 3, 28, 9), 1), utc(2026, 3, 29, 7))
    assert_utc(add_days(cph(2026, 2, 26, 9), 5), utc(2026, 3, 3, 8))


# --- Working days -------------------------------------------------------------------------


def test_six_working_days_across_easter_2024() -> None:
    # Received Wed 27 Mar. Thu 28, Fri 29 Mar and Mon 1 Apr are holidays.
    # Working days: Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Tue 9 Apr -> 10 Apr 00:00 CEST.
    assert_utc(add_working_days(cph(2024, 3, 27, 14), 6), utc(2024, 4, 9, 22))


def test_six_working_days_across_easter_2025() -> None:
    # Received Wed 16 Apr. Thu 17, Fri 18 and Mon 21 Apr are holidays.
    # Working days: Tue 22, Wed 23, Thu 24, Fri 25, Mon 28, Tue 29 Apr -> 30 Apr 00:00 CEST.
    assert_utc(add_working_days(cph(2025, 4, 16, 9), 6), utc(2025, 4, 29, 22))


def test_six_working_days_across_christmas_and_new_year() -> None:
    # Received Mon 22 Dec 2025. Default policy: 24 and 31 Dec closed.
    # Tue 23, Mon 29, Tue 30 Dec, Fri 2, Mon 5, Tue 6 Jan -> Wed 7 Jan 2026 00:00 CET.
    received = cph(2025, 12, 22, 11)
    assert_utc(add_working_days(received, 6), utc(2026, 1, 6, 23))
    # Offices open on 24 and 31 Dec: Tue 23, Wed 24, Mon 29, Tue 30, Wed 31, Fri 2 Jan.
    assert_utc(add_working_days(received, 6, OPEN_ON_CLOSABLE_DAYS), utc(2026, 1, 2, 23))


def test_six_working_days_across_constitution_day() -> None:
    # Received Mon 2 Jun 2025. Thu 5 Jun closed by default; Mon 9 Jun is Whit Monday.
    # Tue 3, Wed 4, Fri 6, Tue 10, Wed 11, Thu 12 Jun -> Fri 13 Jun 00:00 CEST.
    received = cph(2025, 6, 2, 10)
    assert_utc(add_working_days(received, 6), utc(2025, 6, 12, 22))
    # Offices open on 5 June: Tue 3, Wed 4, Thu 5, Fri 6, Tue 10, Wed 11 -> Thu 12 Jun.
    open_policy = CalendarPolicy(constitution_day_closed=False)
    assert_utc(add_working_days(received, 6, open_policy), utc(2025, 6, 11, 22))


def test_store_bededag_in_working_day_counts() -> None:
    # 2023: received Thu 4 May; Fri 5 May is Store Bededag.
    # Mon 8, Tue 9, Wed 10, Thu 11, Fri 12, Mon 15 May -> Tue 16 May 00:00 CEST.
    assert_utc(add_working_days(cph(2023, 5, 4, 10), 6), utc(2023, 5, 15, 22))
    # 2024: received Thu 25 Apr; Fri 26 Apr counts.
    # Fri 26, Mon 29, Tue 30 Apr, Wed 1, Thu 2, Fri 3 May -> Sat 4 May 00:00 CEST.
    assert_utc(add_working_days(cph(2024, 4, 25, 10), 6), utc(2024, 5, 3, 22))


def test_a_report_received_at_the_weekend_counts_from_the_next_working_day() -> None:
    # Sat 10 Jan 2026: Mon 12, Tue 13, Wed 14, Thu 15, Fri 16, Mon 19 -> Tue 20 Jan 00:00 CET.
    assert_utc(add_working_days(cph(2026, 1, 10, 23, 30), 6), utc(2026, 1, 19, 23))
    # Received on a working day at 08:00: that day does not count either.
    # Mon 12 Jan: Tue 13 ... Tue 20 -> Wed 21 Jan 00:00 CET.
    assert_utc(add_working_days(cph(2026, 1, 12, 8), 6), utc(2026, 1, 20, 23))


def test_working_days_count_from_the_local_date_not_the_utc_date() -> None:
    # Mon 12 Jan 2026 00:30 CET is still Sunday in UTC; the Copenhagen Monday is the day.
    received = utc(2026, 1, 11, 23, 30)
    assert_utc(add_working_days(received, 6), utc(2026, 1, 20, 23))


def test_one_working_day_and_extra_closed_days() -> None:
    # Fri 9 Jan 2026 -> Mon 12 -> Tue 13 Jan 00:00 CET.
    assert_utc(add_working_days(cph(2026, 1, 9, 15), 1), utc(2026, 1, 12, 23))
    closed = CalendarPolicy(extra_closed_days=frozenset({date(2026, 1, 12)}))
    assert_utc(add_working_days(cph(2026, 1, 9, 15), 1, closed), utc(2026, 1, 13, 23))


def test_zero_or_negative_working_days_are_refused() -> None:
    for n in (0, -1):
        with pytest.raises(ValueError, match="at least 1"):
            add_working_days(cph(2026, 1, 9), n)


# --- ISO 8601 durations -------------------------------------------------------------------


def test_parse_iso_duration_reads_every_component() -> None:
    assert parse_iso_duration("P1Y2M3W4DT5H6M7S") == IsoDuration(1, 2, 3, 4, 5, 6, 7)
    assert parse_iso_duration("P4M") == IsoDuration(months=4)
    assert parse_iso_duration("PT24H") == IsoDuration(hours=24)
    assert parse_iso_duration("P2W") == IsoDuration(weeks=2)
    assert parse_iso_duration("PT90M") == IsoDuration(minutes=90)
    assert parse_iso_duration("P0D").is_zero


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "P",
        "PT",
        "P1DT",
        "P1.5M",
        "P0.5Y",
        "P1,5D",
        "PT1.5H",
        "-P1D",
        "P-1D",
        "+P1D",
        "p1d",
        " P1D",
        "P1D ",
        "P1H",
        "PT1D",
        "P1M1Y",
        "1D",
        "R3/P1D",
        "P١D",  # an Arabic-Indic digit
    ],
)
def test_parse_iso_duration_rejects_anything_else(bad: str) -> None:
    with pytest.raises(ValueError, match=r"ISO 8601|no components|'T'"):
        parse_iso_duration(bad)


def test_parse_iso_duration_rejects_non_strings() -> None:
    with pytest.raises(ValueError, match="must be a string"):
        parse_iso_duration(4)  # type: ignore[arg-type]


def test_add_iso_duration_uses_civil_dates_and_elapsed_hours() -> None:
    start = cph(2025, 10, 25, 10)  # Sat, CEST
    assert_utc(add_iso_duration(start, "PT24H"), utc(2025, 10, 26, 8))  # 09:00 CET
    assert_utc(add_iso_duration(start, "P1D"), utc(2025, 10, 26, 9))  # 10:00 CET
    assert_utc(add_iso_duration(start, "P1DT1H"), utc(2025, 10, 26, 10))  # 11:00 CET
    assert_utc(add_iso_duration(start, "P1W"), utc(2025, 11, 1, 9))
    assert_utc(add_iso_duration(cph(2026, 3, 1, 0, 30), "P4M"), utc(2026, 6, 30, 22, 30))
    assert_utc(add_iso_duration(cph(2025, 10, 31, 10), "P4M"), utc(2026, 2, 28, 9))
    assert_utc(add_iso_duration(cph(2024, 2, 29, 12), "P1Y"), utc(2025, 2, 28, 11))
    # Months are clamped before days are added: 31 Jan + 1 month = 28 Feb, + 1 day = 1 Mar.
    assert_utc(add_iso_duration(cph(2026, 1, 31, 12), "P1M1D"), utc(2026, 3, 1, 11))


def test_add_iso_duration_rejects_bad_input_and_overflow() -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        add_iso_duration(cph(2026, 1, 1), "P1.5M")
    with pytest.raises(ValueError):
        add_iso_duration(cph(2026, 1, 1), "P99999Y")
    with pytest.raises(ValueError, match="out of range"):
        add_iso_duration(cph(2026, 1, 1), "PT99999999999999H")


# --- Cycles -------------------------------------------------------------------------------


def test_monthly_cycle_from_the_31st_does_not_drift() -> None:
    anchor = cph(2026, 1, 31, 10)  # CET
    assert_utc(next_cycle_slot(anchor, "P1M", anchor), utc(2026, 2, 28, 9))
    # Exactly on a slot: the next one (strictly after). 31 Mar 10:00 CEST = 08:00Z.
    assert_utc(next_cycle_slot(anchor, "P1M", utc(2026, 2, 28, 9)), utc(2026, 3, 31, 8))
    assert_utc(next_cycle_slot(anchor, "P1M", utc(2026, 4, 15)), utc(2026, 4, 30, 8))


def test_catch_up_after_downtime_continues_from_the_next_future_slot() -> None:
    # Down from February to 1 Jun 2026 12:00Z; repeated addition would give 28 Jun,
    # computing from the anchor gives 30 Jun 10:00 CEST.
    anchor = cph(2026, 1, 31, 10)
    assert_utc(next_cycle_slot(anchor, "P1M", utc(2026, 6, 1, 12)), utc(2026, 6, 30, 8))


def test_quarterly_cycle_keeps_local_wall_time() -> None:
    # 15 Jan 2026 09:00 CET; slots 15 Apr, 15 Jul, 15 Oct (09:00 CEST), 15 Jan 2027 (09:00 CET).
    anchor = cph(2026, 1, 15, 9)
    assert_utc(next_cycle_slot(anchor, "P3M", utc(2026, 1, 20)), utc(2026, 4, 15, 7))
    assert_utc(next_cycle_slot(anchor, "P3M", utc(2026, 7, 15, 7)), utc(2026, 10, 15, 7))
    assert_utc(next_cycle_slot(anchor, "P3M", utc(2026, 11, 1)), utc(2027, 1, 15, 8))


def test_daily_cycle_across_the_spring_switch_stays_at_09_00() -> None:
    anchor = cph(2026, 3, 28, 9)  # 08:00Z
    assert_utc(next_cycle_slot(anchor, "P1D", utc(2026, 3, 29)), utc(2026, 3, 29, 7))


def test_short_cycle_far_behind_is_found_quickly() -> None:
    anchor = utc(2026, 1, 1)
    assert_utc(next_cycle_slot(anchor, "PT1H", utc(2027, 1, 1, 0, 30)), utc(2027, 1, 1, 1))
    assert_utc(
        next_cycle_slot(anchor, "PT1S", utc(2026, 12, 31, 23, 59)),
        utc(2026, 12, 31, 23, 59) + timedelta(seconds=1),
    )


def test_anchor_in_the_future_gives_the_first_slot() -> None:
    anchor = utc(2026, 6, 1, 8)
    assert_utc(next_cycle_slot(anchor, "P14D", utc(2026, 1, 1)), utc(2026, 6, 15, 8))


def test_zero_and_invalid_cycle_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="zero"):
        next_cycle_slot(utc(2026, 1, 1), "PT0S", utc(2026, 2, 1))
    with pytest.raises(ValueError, match="ISO 8601"):
        next_cycle_slot(utc(2026, 1, 1), "R/P1M", utc(2026, 2, 1))


# --- Independence of the process time zone ------------------------------------------------


@pytest.fixture(params=["UTC", "Europe/Copenhagen", "America/New_York", "Asia/Tokyo"])
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


def test_results_do_not_depend_on_the_process_time_zone(process_tz: str) -> None:
    assert os.environ["TZ"] == process_tz
    assert_utc(add_elapsed(cph(2025, 10, 25, 10), timedelta(hours=24)), utc(2025, 10, 26, 8))
    assert_utc(add_months(cph(2026, 3, 1, 0, 30), 4), utc(2026, 6, 30, 22, 30))
    assert_utc(add_months(cph(2026, 1, 29, 2, 30), 2), utc(2026, 3, 29, 1, 30))
    assert_utc(add_working_days(cph(2024, 3, 27, 14), 6), utc(2024, 4, 9, 22))
    assert_utc(add_working_days(utc(2026, 1, 11, 23, 30), 6), utc(2026, 1, 20, 23))
    assert_utc(add_iso_duration(cph(2025, 10, 25, 10), "P1DT1H"), utc(2025, 10, 26, 10))
    assert_utc(next_cycle_slot(cph(2026, 1, 31, 10), "P1M", utc(2026, 3, 1)), utc(2026, 3, 31, 8))
    assert local_date(utc(2026, 1, 11, 23, 30)) == date(2026, 1, 12)


# --- Properties ---------------------------------------------------------------------------

local_instants = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2090, 12, 31),
    timezones=st.just(COPENHAGEN),
    allow_imaginary=False,
)


@settings(database=None, max_examples=300)
@given(start=local_instants, months=st.integers(min_value=-120, max_value=120))
def test_add_months_lands_in_the_right_month_never_past_the_start_day(start: datetime, months: int) -> None:
    local_start = start.astimezone(COPENHAGEN)
    result = add_months(start, months).astimezone(COPENHAGEN)
    month_index = local_start.year * 12 + local_start.month - 1 + months
    assert (result.year, result.month - 1) == divmod(month_index, 12)
    assert result.day <= local_start.day
    if local_start.hour != 2:  # away from the skipped and repeated hour, wall time is kept
        assert result.time() == local_start.time()


@settings(database=None, max_examples=200)
@given(start=local_instants, n=st.integers(min_value=1, max_value=30))
def test_add_working_days_ends_at_local_midnight_after_a_working_day(start: datetime, n: int) -> None:
    due = add_working_days(start, n)
    local_due = due.astimezone(COPENHAGEN)
    assert local_due.time() == time(0)
    last_day = local_due.date() - timedelta(days=1)
    assert is_working_day(last_day)
    start_day = local_date(start)
    counted = [
        start_day + timedelta(days=i)
        for i in range(1, (last_day - start_day).days + 1)
        if is_working_day(start_day + timedelta(days=i))
    ]
    assert len(counted) == n
