"""Legal deadlines of a child-welfare case under barnets lov (LBK nr 282 af 17/03/2025).

Two kinds of deadline (`DueKind`):

* **elapsed**: counted in hours (the 24-hour assessment of a report). An instant: met by an act
  before it, breached at it.
* **calendar**: counted in days, working days or months, or an agreed date. A **last day**: met
  by an act any time that day, Copenhagen time, and breached only when that day has ended
  (`engine.calendar.end_of_day`). A date a caseworker types (an agreed follow-up date) means
  that whole day.

Every deadline is a `Due`: its kind, its `due_date` (the last day; for an elapsed deadline the
local day its instant falls on) and its `due_at` (the instant it passes). As a process variable
a calendar deadline is written as its last day ("2027-04-02") and an elapsed one as its instant.

This module owns the rules that turn a fact ("the report was received at ...") into a deadline:
one small function per rule, each naming its rule in `engine.rules` (paragraph, and whether it
is law or municipal policy). Every number lives in `DeadlineSettings`; the calendar arithmetic
(DST, month ends, working days) lives in `engine.calendar`. `DEADLINE_RULES` and
`derive_deadlines` connect the rules to process variables: the diagrams read the deadline
variables as timer dates (`timeDate`), so no deadline is computed anywhere else.

Pure: no I/O and no wall clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

from engine import danish
from engine.calendar import (
    DEFAULT_POLICY,
    CalendarPolicy,
    add_duration,
    add_elapsed,
    at_local_time,
    end_of_day,
    local_date,
    months_after,
    parse_iso_duration,
    start_of_day,
    to_utc,
    working_days_after,
)
from engine.rules import rule


class DeadlineInputError(ValueError):
    """A recorded fact no deadline can be computed from. `variable` names the fact (the form field
    it was entered in) once known; `message_da` says what is wrong in Danish, with local dates."""

    def __init__(self, message: str, message_da: str, variable: str | None = None) -> None:
        super().__init__(message)
        self.message_da = message_da
        self.variable = variable

    def about(self, variable: str) -> DeadlineInputError:
        return DeadlineInputError(f"variable {variable!r}: {self}", self.message_da, variable)


ANONYMOUS_REPORTER = "anonymous"
REPORTER_TYPES = frozenset({"professional", "private", "anonymous", "child", "parent"})


class DueKind(StrEnum):
    ELAPSED = "elapsed"
    CALENDAR = "calendar"


@dataclass(frozen=True)
class Due:
    """A deadline: its kind, its last day and the instant it passes."""

    kind: DueKind
    due_date: date
    due_at: datetime

    @classmethod
    def elapsed(cls, instant: datetime) -> Due:
        """A deadline counted in hours: it passes at `instant`."""
        return cls(DueKind.ELAPSED, local_date(instant), to_utc(instant))

    @classmethod
    def last_day(cls, day: date) -> Due:
        """A deadline counted in days, months or an agreed date: met any time on `day`."""
        return cls(DueKind.CALENDAR, day, end_of_day(day))

    @property
    def variable(self) -> str:
        """The deadline as a process variable: the last day, or the instant."""
        return self.due_date.isoformat() if self.kind is DueKind.CALENDAR else format_instant(self.due_at)

    def met_by(self, at: datetime) -> bool:
        """True if an act at `at` keeps this deadline."""
        return to_utc(at) < self.due_at


@dataclass(frozen=True)
class DeadlineSettings:
    """Every configurable number behind the deadlines. The rule in `engine.rules` named in each
    field's comment says whether the default is law or municipal policy."""

    assessment_hours: int = 24  # report_assessment (law)
    receipt_working_days: int = 6  # report_receipt (law, paragraph unconfirmed)
    receipt_reporter_types: frozenset[str] = REPORTER_TYPES - {ANONYMOUS_REPORTER}  # receipt_reporters
    investigation_months: int = 4  # investigation (law)
    investigation_warning_months: int = 3  # investigation_warning (policy)
    child_plan_months: int = 3  # child_plan (law)
    first_follow_up_months: int = 3  # follow_up (law)
    follow_up_default_months: int = 6  # follow_up_default_interval (policy)
    supervision_interval_months: int = 6  # supervision_interval (policy)
    reminder_days_before: int = 14  # child_plan_reminder (policy)
    calendar: CalendarPolicy = DEFAULT_POLICY

    def __post_init__(self) -> None:
        for setting in fields(self):
            value = getattr(self, setting.name)
            if isinstance(value, int) and value < 1:
                raise ValueError(f"{setting.name} must be at least 1, got {value}")
        if self.investigation_warning_months >= self.investigation_months:
            raise ValueError("investigation_warning_months must be less than investigation_months")
        unknown = set(self.receipt_reporter_types) - REPORTER_TYPES
        if unknown:
            raise ValueError(f"receipt_reporter_types: unknown reporter types {sorted(unknown)}")


DEFAULT_SETTINGS = DeadlineSettings()


# --- The rules ----------------------------------------------------------------------------


def report_assessment_due(received_at: datetime, settings: DeadlineSettings = DEFAULT_SETTINGS) -> Due:
    """Assess a report of concern (underretning) within 24 clock hours, weekends included.

    Rule `report_assessment` (§ 136, law). Elapsed hours: a DST switch does not lengthen it.
    """
    return Due.elapsed(add_elapsed(received_at, timedelta(hours=settings.assessment_hours)))


def receipt_required(reporter_type: object, settings: DeadlineSettings = DEFAULT_SETTINGS) -> bool:
    """Whether this reporter gets a receipt. Rule `receipt_reporters` (municipal policy; default:
    every reporter who is not anonymous)."""
    return reporter_type in settings.receipt_reporter_types


def report_receipt_due(received_on: date, settings: DeadlineSettings = DEFAULT_SETTINGS) -> Due:
    """Confirm receipt to the reporter by the 6th working day after the day of receipt.

    Rule `report_receipt` (§ 137, law; the paragraph and subsection are UNCONFIRMED). The day of
    receipt never counts; see `engine.calendar.working_days_after`.
    """
    return Due.last_day(working_days_after(received_on, settings.receipt_working_days, settings.calendar))


def investigation_due(aware_on: date, settings: DeadlineSettings = DEFAULT_SETTINGS) -> Due:
    """Finish the børnefaglig undersøgelse within 4 months of the day the municipality became
    aware that the child may need support. Rule `investigation` (§ 20, stk. 3, law)."""
    return Due.last_day(months_after(aware_on, settings.investigation_months))


def investigation_warning_on(aware_on: date, settings: DeadlineSettings = DEFAULT_SETTINGS) -> date:
    """The day to warn the caseworker (default 3 months in). Rule `investigation_warning` (policy)."""
    return months_after(aware_on, settings.investigation_warning_months)


def child_plan_due(decided_on: date, settings: DeadlineSettings = DEFAULT_SETTINGS) -> Due:
    """Make barnets plan / ungeplan within 3 months of the decision. Rule `child_plan` (§ 91, law)."""
    return Due.last_day(months_after(decided_on, settings.child_plan_months))


def child_plan_reminder_on(decided_on: date, settings: DeadlineSettings = DEFAULT_SETTINGS) -> date:
    """The day of the reminder, `reminder_days_before` (default 14) days before the plan's last
    day. Rule `child_plan_reminder` (policy)."""
    return child_plan_due(decided_on, settings).due_date - timedelta(days=settings.reminder_days_before)


def first_follow_up_due(
    started_on: date,
    settings: DeadlineSettings = DEFAULT_SETTINGS,
    parallel_investigation_ended_on: date | None = None,
) -> Due:
    """The latest day of the first follow-up on a measure. Rule `follow_up` (§ 95, law).

    The earlier of 3 months after the measure started (iværksættelse) and the end of an
    afdækning or børnefaglig undersøgelse running alongside the measure (one that ended after
    the day the measure started; one finished by that day was concluded before it).
    """
    last = months_after(started_on, settings.first_follow_up_months)
    if parallel_investigation_ended_on is not None and parallel_investigation_ended_on > started_on:
        last = min(last, parallel_investigation_ended_on)
    return Due.last_day(last)


def first_follow_up_or_agreed(
    started_on: date,
    agreed: date | None,
    settings: DeadlineSettings = DEFAULT_SETTINGS,
    parallel_investigation_ended_on: date | None = None,
) -> Due:
    """The first follow-up as a running deadline: the day agreed at the start-up meeting, but
    never later than `first_follow_up_due`. An agreed day before the start is refused."""
    ceiling = first_follow_up_due(started_on, settings, parallel_investigation_ended_on)
    if agreed is None:
        return ceiling
    if agreed < started_on:
        raise DeadlineInputError(
            f"the agreed first follow-up {agreed.isoformat()} is before the start {started_on}",
            f"Første opfølgning må ikke ligge før indsatsens start den {danish.day(started_on)}.",
        )
    return Due.last_day(min(agreed, ceiling.due_date))


def next_follow_up_due(
    held_on: date, agreed: date | None, settings: DeadlineSettings = DEFAULT_SETTINGS
) -> Due:
    """The next follow-up after one was held: the day agreed at that meeting (rule `follow_up`,
    § 95: the municipality decides how follow-up is organised; the law sets no maximum interval).

    Without an agreed day: `follow_up_default_months` after the meeting, rule
    `follow_up_default_interval` (municipal policy, not law). An agreed day that is not after
    the meeting is a recording error and raises ValueError.
    """
    if agreed is None:
        return Due.last_day(months_after(held_on, settings.follow_up_default_months))
    if agreed <= held_on:
        raise DeadlineInputError(
            f"the agreed next follow-up {agreed.isoformat()} is not after the meeting {held_on}",
            f"Næste opfølgning skal ligge efter mødet den {danish.day(held_on)}.",
        )
    return Due.last_day(agreed)


def supervision_visit_due(last_on: date, settings: DeadlineSettings = DEFAULT_SETTINGS) -> Due:
    """The next personrettet tilsyn of a placed child, counted from the placement or the last
    visit. Rule `supervision` (§ 156, stk. 5, law: at least two visits a year), kept by an
    interval of at most `supervision_interval_months` (rule `supervision_interval`, policy)."""
    return Due.last_day(months_after(last_on, settings.supervision_interval_months))


# --- Reading and writing values -----------------------------------------------------------

_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_instant(value: object) -> datetime:
    """Read an instant from a process variable; return it in UTC.

    Accepted: an ISO 8601 string with a UTC offset ("2026-03-01T09:00:00+01:00", "...Z"),
    a date "YYYY-MM-DD" (that day at 00:00 Copenhagen time), or an aware `datetime`/`date`.

    A date-time without an offset raises ValueError: elsewhere such a value is read in the
    server's zone, and guessing the zone here would hide the caller's bug in a legal deadline.
    """
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, date):
        return at_local_time(value, time(0))
    parsed = _parse_text(value)
    return parsed if isinstance(parsed, datetime) else at_local_time(parsed, time(0))


def parse_day(value: object) -> date:
    """Read a calendar day from a process variable: a date as written, an instant as the
    Copenhagen day it falls on (an instant needs its UTC offset, see `parse_instant`)."""
    if isinstance(value, datetime):
        return local_date(value)
    if isinstance(value, date):
        return value
    parsed = _parse_text(value)
    return local_date(parsed) if isinstance(parsed, datetime) else parsed


def parse_due(value: object) -> Due:
    """Read a deadline from a process variable or a timer value: a date is a last day (a
    calendar deadline), an instant is an elapsed deadline."""
    if isinstance(value, datetime):
        return Due.elapsed(value)
    if isinstance(value, date):
        return Due.last_day(value)
    parsed = _parse_text(value)
    return Due.elapsed(parsed) if isinstance(parsed, datetime) else Due.last_day(parsed)


def _parse_text(value: object) -> date | datetime:
    """A date "YYYY-MM-DD" as a `date`, an instant with its offset as an aware UTC `datetime`."""
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 date or instant, got {type(value).__name__}")
    try:
        if _DATE_ONLY.fullmatch(value):
            return date.fromisoformat(value)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date or instant") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset; add one, e.g. 'Z' or '+01:00'")
    return to_utc(parsed)


def due_on(value: object, *, deadline: bool) -> Due:
    """The due of a timer date or a task's due date. A day on a deadline (a breach timer, a task's
    due date) is its last day, passed when the day has ended; on any other timer (a reminder) it
    fires when the day begins. An instant is an elapsed deadline."""
    due = parse_due(value)
    if due.kind is DueKind.CALENDAR and not deadline:
        return Due(DueKind.CALENDAR, due.due_date, start_of_day(due.due_date))
    return due


def due_after(start: datetime, iso_duration: str, *, deadline: bool) -> Due:
    """The due of a timer duration (or a duration as a task's due date) counted from `start`.
    On a deadline, whole days, weeks, months or years ("P30D", "P4M") give a last day, the
    Copenhagen day the duration ends on; a duration with hours is an elapsed deadline."""
    duration = parse_iso_duration(iso_duration)
    try:
        end = add_duration(start, duration)
    except OverflowError as error:
        raise ValueError(f"{iso_duration} from {start.isoformat()} is out of range") from error
    if deadline and not duration.elapsed:
        return Due.last_day(local_date(end))
    return Due.elapsed(end)


def format_instant(instant: datetime) -> str:
    """The instant as an ISO 8601 string in UTC, e.g. "2026-03-01T09:00:00+00:00"."""
    return to_utc(instant).isoformat()


# --- Process variables --------------------------------------------------------------------

Facts = Mapping[str, object]
Compute = Callable[[Facts, DeadlineSettings], Due | date | None]


@dataclass(frozen=True)
class DeadlineRule:
    """One line of the rule table: `trigger` starts the clock, `output` receives the deadline
    (a `Due`, or a plain day for a reminder); `rule` names the entry in `engine.rules`."""

    output: str
    trigger: str
    rule: str
    compute: Compute

    @property
    def paragraph(self) -> str:
        return rule(self.rule).paragraph

    @property
    def basis(self) -> str:
        return rule(self.rule).basis.value


def _day(facts: Facts, name: str) -> date | None:
    value = facts.get(name)
    if value in (None, ""):
        return None
    try:
        return parse_day(value)
    except ValueError as error:
        raise _unreadable(error).about(name) from error


def _unreadable(error: ValueError) -> DeadlineInputError:
    if isinstance(error, DeadlineInputError):
        return error
    return DeadlineInputError(str(error), "Datoen kan ikke læses. Skriv den som en dato.")


def _trigger_day(name: str, rule_function: Callable[[date, DeadlineSettings], Due | date]) -> Compute:
    def compute(facts: Facts, settings: DeadlineSettings) -> Due | date | None:
        day = _day(facts, name)
        return None if day is None else rule_function(day, settings)

    return compute


def _assessment(facts: Facts, settings: DeadlineSettings) -> Due:
    return report_assessment_due(_instant(facts, "report_received_at"), settings)


def _receipt(facts: Facts, settings: DeadlineSettings) -> Due | None:
    if not receipt_required(facts.get("reporter_type"), settings):
        return None
    return report_receipt_due(local_date(_instant(facts, "report_received_at")), settings)


def _first_follow_up(facts: Facts, settings: DeadlineSettings) -> Due | None:
    started = _day(facts, "intervention_started_at")
    if started is None:
        return None
    return first_follow_up_due(started, settings, _day(facts, "investigation_completed_at"))


def _running_first_follow_up(facts: Facts, settings: DeadlineSettings) -> Due | None:
    started = _day(facts, "intervention_started_at")
    if started is None:
        return None
    agreed = _agreed(facts)
    return _named(
        "next_follow_up_date",
        lambda: first_follow_up_or_agreed(
            started, agreed, settings, _day(facts, "investigation_completed_at")
        ),
    )


def _next_follow_up(facts: Facts, settings: DeadlineSettings) -> Due | None:
    held = _day(facts, "follow_up_held_at")
    started = _day(facts, "intervention_started_at")
    if held is None or (started is not None and held < started):
        return None  # no follow-up held on this measure yet (one held on an earlier measure)
    agreed = _agreed(facts)
    return _named("next_follow_up_date", lambda: next_follow_up_due(held, agreed, settings))


def _next_supervision(facts: Facts, settings: DeadlineSettings) -> Due | None:
    visited = _day(facts, "supervision_visit_held_at")
    placed = _day(facts, "placement_started_at")
    if visited is None or (placed is not None and visited < placed):
        return None  # no visit in this placement yet (one in an earlier placement)
    return supervision_visit_due(visited, settings)


def _agreed(facts: Facts) -> date | None:
    return _day(facts, "next_follow_up_date")


def _named(name: str, compute: Callable[[], Due]) -> Due:
    try:
        return compute()
    except DeadlineInputError as error:
        raise (error if error.variable else error.about(name)) from error


def _instant(facts: Facts, name: str) -> datetime:
    try:
        return parse_instant(facts.get(name))
    except ValueError as error:
        raise _unreadable(error).about(name) from error


# Rules run in this order and a later rule overwrites an earlier one with the same output: a
# held follow-up replaces the first follow-up deadline, a recorded supervision visit the placement.
DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule("report_assessment_due", "report_received_at", "report_assessment", _assessment),
    DeadlineRule("report_receipt_due", "report_received_at", "report_receipt", _receipt),
    DeadlineRule(
        "investigation_due",
        "investigation_started_at",
        "investigation",
        _trigger_day("investigation_started_at", investigation_due),
    ),
    DeadlineRule(
        "investigation_warning_at",
        "investigation_started_at",
        "investigation_warning",
        _trigger_day("investigation_started_at", investigation_warning_on),
    ),
    DeadlineRule(
        "child_plan_due", "decision_date", "child_plan", _trigger_day("decision_date", child_plan_due)
    ),
    DeadlineRule(
        "child_plan_reminder_at",
        "decision_date",
        "child_plan_reminder",
        _trigger_day("decision_date", child_plan_reminder_on),
    ),
    DeadlineRule("first_follow_up_due", "intervention_started_at", "follow_up", _first_follow_up),
    DeadlineRule("follow_up_due", "intervention_started_at", "follow_up", _running_first_follow_up),
    DeadlineRule("follow_up_due", "follow_up_held_at", "follow_up", _next_follow_up),
    DeadlineRule(
        "supervision_visit_due",
        "placement_started_at",
        "supervision",
        _trigger_day("placement_started_at", supervision_visit_due),
    ),
    DeadlineRule("supervision_visit_due", "supervision_visit_held_at", "supervision", _next_supervision),
)

# Whether the reporter gets a receipt (rule `receipt_reporters`, municipal policy), for the diagram's
# gateway: set whenever a report's receipt is known, true or false.
RECEIPT_REQUIRED = "receipt_required"
# Which rule set the running follow-up deadline: `follow_up` (law: the first follow-up, or a day
# agreed at a follow-up) or `follow_up_default_interval` (municipal policy: no day was agreed). A
# breach timer reading `follow_up_due` is counted by the reports under this rule (engine/timers.py).
FOLLOW_UP_RULE = "follow_up_rule"
RULE_SUFFIX = "_rule"

# The variables the engine computes; callers must not accept them as input.
DEADLINE_VARIABLES = frozenset({*(r.output for r in DEADLINE_RULES), RECEIPT_REQUIRED, FOLLOW_UP_RULE})

# Every fact a deadline is computed from: the rules' triggers and the facts they read beside them.
DEADLINE_FACTS = frozenset(
    {
        *(r.trigger for r in DEADLINE_RULES),
        "reporter_type",
        "investigation_completed_at",
        "next_follow_up_date",
    }
)
_FACT_NAMES = tuple(sorted(DEADLINE_FACTS))


def derive_deadlines(
    variables: Facts, settings: DeadlineSettings = DEFAULT_SETTINGS
) -> dict[str, str | bool]:
    """Return the deadline variables (name -> last day "YYYY-MM-DD", or an ISO UTC instant for
    an elapsed deadline) that follow from `variables`, `receipt_required` (a boolean) once a
    report's receipt is known, and `follow_up_rule` with `follow_up_due`.

    A rule fires when its trigger variable is present and not None; its output is computed
    afresh from the current facts, so a changed fact moves the deadline. Outputs whose condition
    does not hold (a reporter who gets no receipt) are left out; removing a stale one is the
    caller's decision. For the same output, the later rule in `DEADLINE_RULES` wins. A fact no
    deadline can be computed from raises `DeadlineInputError` naming the variable.

    The result depends on the settings and the facts in `DEADLINE_FACTS` only, so it is computed
    once per set of their values: one step reads the deadlines several times (the submitted
    variables, the next task's due date, its timers), and the later reads are cached.
    """
    key = _facts_key(variables)
    if _hashable(key):
        return dict(_derive_cached(key, settings))
    return _derive(_view(key), settings)  # a fact that cannot be a cache key (a list): not cached


FactsKey = tuple[tuple[type, object], ...]


def _facts_key(variables: Facts) -> FactsKey:
    """The deadline facts' values in `_FACT_NAMES` order, each with its type (True is not 1)."""
    return tuple((type(v), v) for v in (variables.get(name) for name in _FACT_NAMES))


def _hashable(key: FactsKey) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True


@lru_cache(maxsize=256)
def _derive_cached(key: FactsKey, settings: DeadlineSettings) -> dict[str, str | bool]:
    return _derive(_view(key), settings)


def _view(key: FactsKey) -> Facts:
    return _DeadlineFacts({name: value for name, (_, value) in zip(_FACT_NAMES, key, strict=True)})


class _DeadlineFacts(Mapping[str, object]):
    """The facts the rules may read. Reading any other name is a programming error: a rule that
    needs a new fact must list it in `DEADLINE_FACTS`, or the cache would not see it change."""

    def __init__(self, values: dict[str, object]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> object:
        if name not in DEADLINE_FACTS:
            raise RuntimeError(f"a deadline rule read '{name}', which is not in DEADLINE_FACTS")
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _derive(variables: Facts, settings: DeadlineSettings) -> dict[str, str | bool]:
    deadlines: dict[str, str | bool] = {}
    if variables.get("report_received_at") is not None:
        deadlines[RECEIPT_REQUIRED] = receipt_required(variables.get("reporter_type"), settings)
    for line in DEADLINE_RULES:
        if variables.get(line.trigger) is None:
            continue
        due = _compute(line, variables, settings)
        if isinstance(due, Due):
            deadlines[line.output] = due.variable
        elif due is not None:
            deadlines[line.output] = due.isoformat()
    if "follow_up_due" in deadlines:
        deadlines[FOLLOW_UP_RULE] = _follow_up_rule(variables)
    return deadlines


def _follow_up_rule(facts: Facts) -> str:
    held, started = _day(facts, "follow_up_held_at"), _day(facts, "intervention_started_at")
    after_a_follow_up = held is not None and (started is None or held >= started)
    return "follow_up_default_interval" if after_a_follow_up and _agreed(facts) is None else "follow_up"


def current_deadlines(facts: Facts, settings: DeadlineSettings = DEFAULT_SETTINGS) -> dict[str, str | bool]:
    """The deadline variables as the facts in scope give them now, for a due date or timer the
    engine is about to evaluate: so a deadline read in a subprocess, or after an event brought in
    a new fact (an investigation running alongside a measure has ended), follows the facts there.
    Facts no deadline can be computed from leave the stored variables as they are (they were
    checked when they were recorded)."""
    try:
        return derive_deadlines(facts, settings)
    except (ValueError, OverflowError):
        return {}


def _compute(line: DeadlineRule, variables: Facts, settings: DeadlineSettings) -> Due | date | None:
    """One rule's deadline; a fact it cannot use raises DeadlineInputError naming the fact."""
    try:
        return line.compute(variables, settings)
    except DeadlineInputError as error:
        raise (error if error.variable else error.about(line.trigger)) from error
    except (ValueError, OverflowError) as error:  # a date so far out that the calendar overflows
        far = DeadlineInputError(str(error), "Datoen ligger for langt ude i fremtiden.")
        raise far.about(line.trigger) from error
