"""Legal deadlines of a child-welfare case under barnets lov (LOV nr 721 af 14.6.2023).

This module owns the rules that turn a fact ("the report was received at ...") into a
deadline ("assess it by ..."): one small function per rule, each citing its paragraph and
saying whether the rule is verified or a configurable default that the municipality's
lawyer should check (source: shared/legal-deadlines.md). Every number lives in
`DeadlineSettings`; the calendar arithmetic (DST, month ends, working days) lives in
`engine.calendar`.

`DEADLINE_RULES` and `derive_deadlines` connect the rules to process variables: the BPMN
diagrams read the deadline variables as timer dates (`timeDate`) instead of duration
literals such as "P4M", so no deadline is computed anywhere else.

Pure: no I/O and no wall clock. Inputs are aware datetimes; outputs are aware UTC datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from engine import danish
from engine.calendar import (
    DEFAULT_POLICY,
    CalendarPolicy,
    add_days,
    add_elapsed,
    add_months,
    add_working_days,
    at_local_time,
    to_utc,
)


class DeadlineInputError(ValueError):
    """A recorded fact no deadline can be computed from. `variable` names the fact (the form field
    it was entered in) once known; `message_da` says what is wrong in Danish, with local dates."""

    def __init__(self, message: str, message_da: str, variable: str | None = None) -> None:
        super().__init__(message)
        self.message_da = message_da
        self.variable = variable

    def about(self, variable: str) -> DeadlineInputError:
        return DeadlineInputError(f"variable {variable!r}: {self}", self.message_da, variable)


# An agreed follow-up date without a time of day means this local time (office hours).
AGREED_DATE_LOCAL_TIME = time(9, 0)
PROFESSIONAL_REPORTER = "professional"


@dataclass(frozen=True)
class DeadlineSettings:
    """Every configurable number behind the deadlines, with the defaults of barnets lov.

    Which of them are law and which are practice is said in the docstring of each rule.
    """

    assessment_hours: int = 24
    receipt_working_days: int = 6
    investigation_months: int = 4
    investigation_warning_months: int = 3
    child_plan_months: int = 3
    first_follow_up_months: int = 3
    follow_up_floor_months: int = 6
    supervision_interval_months: int = 6
    reminder_days_before: int = 14
    calendar: CalendarPolicy = DEFAULT_POLICY

    def __post_init__(self) -> None:
        for setting in fields(self):
            value = getattr(self, setting.name)
            if isinstance(value, int) and value < 1:
                raise ValueError(f"{setting.name} must be at least 1, got {value}")
        if self.investigation_warning_months >= self.investigation_months:
            raise ValueError("investigation_warning_months must be less than investigation_months")


DEFAULT_SETTINGS = DeadlineSettings()


# --- The rules ----------------------------------------------------------------------------


def report_assessment_due(received_at: datetime, settings: DeadlineSettings = DEFAULT_SETTINGS) -> datetime:
    """Assess a report of concern (underretning) within 24 clock hours, weekends included.

    barnets lov §§ 136-137: the municipality must within 24 hours assess whether the child's
    health or development is in danger and acute measures are needed. VERIFIED (the
    ministry's guidance). Elapsed hours, so a DST switch does not lengthen the deadline.
    """
    return add_elapsed(received_at, timedelta(hours=settings.assessment_hours))


def report_receipt_due(received_at: datetime, settings: DeadlineSettings = DEFAULT_SETTINGS) -> datetime:
    """Acknowledge receipt to a professional reporter within 6 working days (hverdage).

    barnets lov § 137 — UNVERIFIED: the 6 working days are stated by municipalities' public
    pages; the paragraph was not confirmed. Configurable (`receipt_working_days`). Counting
    starts on the working day after the day of receipt; see `add_working_days`.
    """
    return add_working_days(received_at, settings.receipt_working_days, settings.calendar)


def investigation_due(
    learned_of_need_at: datetime, settings: DeadlineSettings = DEFAULT_SETTINGS
) -> datetime:
    """Finish the child-welfare investigation (børnefaglig undersøgelse) within 4 months.

    barnets lov §§ 20-23, counted from the day the municipality learned of the possible
    need. Paragraphs from the ministry's guidance; the 4 months from the national guidance
    on case quality. Not marked unverified; configurable (`investigation_months`).
    """
    return add_months(learned_of_need_at, settings.investigation_months)


def investigation_warning_at(
    learned_of_need_at: datetime, settings: DeadlineSettings = DEFAULT_SETTINGS
) -> datetime:
    """Warn the caseworker that the investigation deadline approaches (default: 3 months in).

    Municipal practice, not law: the warning is a configurable default
    (`investigation_warning_months`) in front of the §§ 20-23 deadline.
    """
    return add_months(learned_of_need_at, settings.investigation_warning_months)


def child_plan_due(decided_at: datetime, settings: DeadlineSettings = DEFAULT_SETTINGS) -> datetime:
    """Make the child's plan (barnets plan / ungeplan) within 3 months of the decision.

    barnets lov § 91 (stk. 2: always on placement). From the national guidance; not marked
    unverified. Configurable (`child_plan_months`).
    """
    return add_months(decided_at, settings.child_plan_months)


def child_plan_reminder_at(decided_at: datetime, settings: DeadlineSettings = DEFAULT_SETTINGS) -> datetime:
    """A reminder `reminder_days_before` (default 14) days before the plan is due (municipal practice)."""
    return add_days(child_plan_due(decided_at, settings), -settings.reminder_days_before)


def first_follow_up_due(started_at: datetime, settings: DeadlineSettings = DEFAULT_SETTINGS) -> datetime:
    """Hold the first follow-up on a measure (indsats) within 3 months of its start.

    UNVERIFIED for barnets lov: the former Serviceloven § 70 rule, kept as a configurable
    default (`first_follow_up_months`).
    """
    return add_months(started_at, settings.first_follow_up_months)


def first_follow_up_or_agreed(
    started_at: datetime, agreed_next: datetime | date | None, settings: DeadlineSettings = DEFAULT_SETTINGS
) -> datetime:
    """The first follow-up as a running deadline: the date agreed at the start-up meeting, but
    never later than `first_follow_up_due` (3 months, UNVERIFIED default, see there)."""
    ceiling = first_follow_up_due(started_at, settings)
    if agreed_next is None:
        return ceiling
    agreed = _agreed_instant(agreed_next)
    if agreed <= to_utc(started_at):
        raise DeadlineInputError(
            f"the agreed first follow-up {agreed.isoformat()} is not after the start "
            f"{to_utc(started_at).isoformat()}",
            f"Første opfølgning skal ligge efter indsatsens start den {danish.day(started_at)}.",
        )
    return min(agreed, ceiling)


def next_follow_up_due(
    held_at: datetime,
    agreed_next: datetime | date | None,
    settings: DeadlineSettings = DEFAULT_SETTINGS,
) -> datetime:
    """The next follow-up: the date agreed at the meeting, but never later than the floor.

    The floor is `held_at` + 6 months; with no agreed date the floor is the deadline.
    UNVERIFIED for barnets lov: "at least every 6 months" is the former Serviceloven § 70
    rule, kept as a configurable default (`follow_up_floor_months`). The actual cadence is
    the caseworker's judgement (14 days in high-risk cases is practice).

    An agreed `date` without a time means 09:00 Copenhagen time on that day. An agreed
    date that is not after the meeting is a recording error and raises ValueError.
    """
    floor = add_months(held_at, settings.follow_up_floor_months)
    if agreed_next is None:
        return floor
    agreed = _agreed_instant(agreed_next)
    if agreed <= to_utc(held_at):
        raise DeadlineInputError(
            f"the agreed next follow-up {agreed.isoformat()} is not after the meeting "
            f"{to_utc(held_at).isoformat()}",
            f"Næste opfølgning skal ligge efter mødet den {danish.day(held_at)}.",
        )
    return min(agreed, floor)


def supervision_visit_due(
    last_visit_or_placement_at: datetime, settings: DeadlineSettings = DEFAULT_SETTINGS
) -> datetime:
    """The next personal supervision visit (personrettet tilsyn) of a placed child.

    At least twice a year, with two caseworkers and a talk with the child, counted from the
    placement or the last visit. Rule from the national guidance; the paragraph is
    UNVERIFIED. Configurable (`supervision_interval_months`, default 6).
    """
    return add_months(last_visit_or_placement_at, settings.supervision_interval_months)


def _agreed_instant(agreed: datetime | date) -> datetime:
    if isinstance(agreed, datetime):
        return to_utc(agreed)
    return at_local_time(agreed, AGREED_DATE_LOCAL_TIME)


# --- Process variables --------------------------------------------------------------------

_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_instant(value: object) -> datetime:
    """Read an instant from a process variable; return it in UTC.

    Accepted: an ISO 8601 string with a UTC offset ("2026-03-01T09:00:00+01:00", "...Z"),
    a date "YYYY-MM-DD" (that day at 00:00 Copenhagen time, so a month deadline falls at the
    start of the same day of the month), or an aware `datetime`/`date` object.

    A date-time without an offset raises ValueError: elsewhere such a value is read in the
    server's zone (2026-03-29T02:30 is 02:30Z under TZ=UTC but 01:30Z under Copenhagen),
    and guessing the zone here would hide the caller's bug in a legal deadline.
    """
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, date):
        return at_local_time(value, time(0))
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 date or instant, got {type(value).__name__}")
    try:
        if _DATE_ONLY.fullmatch(value):
            return at_local_time(date.fromisoformat(value), time(0))
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date or instant") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset; add one, e.g. 'Z' or '+01:00'")
    return to_utc(parsed)


def format_instant(instant: datetime) -> str:
    """The instant as an ISO 8601 string in UTC, e.g. "2026-03-01T09:00:00+00:00"."""
    return to_utc(instant).isoformat()


Compute = Callable[[datetime, Mapping[str, object], DeadlineSettings], datetime | None]


@dataclass(frozen=True)
class DeadlineRule:
    """One line of the rule table: `trigger` starts the clock, `output` receives the deadline."""

    output: str
    trigger: str
    paragraph: str
    verified: bool
    compute: Compute


def _from_trigger(rule: Callable[[datetime, DeadlineSettings], datetime]) -> Compute:
    """Adapt a rule that needs nothing but the trigger instant."""

    def compute(start: datetime, _variables: Mapping[str, object], settings: DeadlineSettings) -> datetime:
        return rule(start, settings)

    return compute


def _receipt_if_professional(
    received_at: datetime, variables: Mapping[str, object], settings: DeadlineSettings
) -> datetime | None:
    if variables.get("reporter_type") != PROFESSIONAL_REPORTER:
        return None
    return report_receipt_due(received_at, settings)


def _follow_up(held_at: datetime, variables: Mapping[str, object], settings: DeadlineSettings) -> datetime:
    return _with_agreed_date(next_follow_up_due, held_at, variables, settings)


def _first_follow_up(
    started_at: datetime, variables: Mapping[str, object], settings: DeadlineSettings
) -> datetime:
    return _with_agreed_date(first_follow_up_or_agreed, started_at, variables, settings)


def _with_agreed_date(
    rule: Callable[[datetime, datetime | date | None, DeadlineSettings], datetime],
    start: datetime,
    variables: Mapping[str, object],
    settings: DeadlineSettings,
) -> datetime:
    value = variables.get("next_follow_up_date")
    try:
        agreed = None if value in (None, "") else _parse_agreed_date(value)
        return rule(start, agreed, settings)
    except ValueError as error:
        raise _input_error(error).about("next_follow_up_date") from error


def _parse_agreed_date(value: object) -> datetime | date:
    if isinstance(value, str) and _DATE_ONLY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return parse_instant(value)


_BFU = "barnets lov §§ 20-23"
_FOLLOW_UP = "former Serviceloven § 70, kept as default"
_SUPERVISION = "personrettet tilsyn (paragraph unverified)"

# Rules run in this order and a later rule overwrites an earlier one with the same output:
# a recorded supervision visit therefore takes precedence over the placement start.
DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule(
        output="report_assessment_due",
        trigger="report_received_at",
        paragraph="barnets lov §§ 136-137",
        verified=True,
        compute=_from_trigger(report_assessment_due),
    ),
    DeadlineRule(
        output="report_receipt_due",
        trigger="report_received_at",
        paragraph="barnets lov § 137",
        verified=False,
        compute=_receipt_if_professional,
    ),
    DeadlineRule(
        output="investigation_due",
        trigger="investigation_started_at",
        paragraph=_BFU,
        verified=True,
        compute=_from_trigger(investigation_due),
    ),
    DeadlineRule(
        output="investigation_warning_at",
        trigger="investigation_started_at",
        paragraph=f"{_BFU} (warning: municipal default)",
        verified=False,
        compute=_from_trigger(investigation_warning_at),
    ),
    DeadlineRule(
        output="child_plan_due",
        trigger="decision_date",
        paragraph="barnets lov § 91",
        verified=True,
        compute=_from_trigger(child_plan_due),
    ),
    DeadlineRule(
        output="child_plan_reminder_at",
        trigger="decision_date",
        paragraph="barnets lov § 91 (reminder: municipal practice)",
        verified=False,
        compute=_from_trigger(child_plan_reminder_at),
    ),
    DeadlineRule(
        output="first_follow_up_due",
        trigger="intervention_started_at",
        paragraph=_FOLLOW_UP,
        verified=False,
        compute=_from_trigger(first_follow_up_due),
    ),
    # The running follow-up deadline starts at the start of the measure (the agreed first date,
    # at most 3 months) and is replaced by the follow-up rule below once a follow-up is held.
    DeadlineRule(
        output="follow_up_due",
        trigger="intervention_started_at",
        paragraph=_FOLLOW_UP,
        verified=False,
        compute=_first_follow_up,
    ),
    DeadlineRule(
        output="follow_up_due",
        trigger="follow_up_held_at",
        paragraph=_FOLLOW_UP,
        verified=False,
        compute=_follow_up,
    ),
    DeadlineRule(
        output="supervision_visit_due",
        trigger="placement_started_at",
        paragraph=_SUPERVISION,
        verified=False,
        compute=_from_trigger(supervision_visit_due),
    ),
    DeadlineRule(
        output="supervision_visit_due",
        trigger="supervision_visit_held_at",
        paragraph=_SUPERVISION,
        verified=False,
        compute=_from_trigger(supervision_visit_due),
    ),
)

# The variables the engine computes; callers must not accept them as input.
DEADLINE_VARIABLES = frozenset(rule.output for rule in DEADLINE_RULES)


def derive_deadlines(
    variables: Mapping[str, object], settings: DeadlineSettings = DEFAULT_SETTINGS
) -> dict[str, str]:
    """Return the deadline variables (name -> ISO UTC string) that follow from `variables`.

    A rule fires when its trigger variable is present and not None; its output is computed
    afresh from the current trigger value, so a changed trigger moves the deadline. Outputs
    whose condition does not hold (a reporter who is not "professional") are left out;
    removing a stale one is the caller's decision. For the same output, the later rule in
    `DEADLINE_RULES` wins. An unparseable value raises ValueError naming the variable.
    """
    deadlines: dict[str, str] = {}
    for rule in DEADLINE_RULES:
        value = variables.get(rule.trigger)
        if value is None:
            continue
        due = _compute(rule, value, variables, settings)
        if due is not None:
            deadlines[rule.output] = format_instant(due)
    return deadlines


def _compute(
    rule: DeadlineRule, value: object, variables: Mapping[str, object], settings: DeadlineSettings
) -> datetime | None:
    try:
        return rule.compute(_parse_variable(rule.trigger, value), variables, settings)
    except DeadlineInputError as error:
        if error.variable:
            raise
        raise error.about(rule.trigger) from error
    except (ValueError, OverflowError) as error:  # a date so far out that the calendar overflows
        far = DeadlineInputError(str(error), "Datoen ligger for langt ude i fremtiden.")
        raise far.about(rule.trigger) from error


def _parse_variable(name: str, value: object) -> datetime:
    try:
        return parse_instant(value)
    except ValueError as error:
        raise _input_error(error).about(name) from error


def _input_error(error: ValueError) -> DeadlineInputError:
    if isinstance(error, DeadlineInputError):
        return error
    return DeadlineInputError(str(error), "Datoen kan ikke læses. Skriv den som en dato.")
