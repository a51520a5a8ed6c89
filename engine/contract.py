"""The diagram contract: what the engine, the reports and the law read from the diagrams.

The diagrams in workflows/ are edited by process owners, but some of their ids, variables,
groups and properties are read by code. They are declared here, once, with the consumer that
needs each one; the code that reads them takes its names from here (engine/facts.py,
engine/reports.py, engine/tasks.py, engine/instances.py, engine/timers.py), and
engine/bpmn/contract_checks.py refuses a deployment that breaks one, naming the item, the
element and the consumer. workflows/README.md is tested against this module
(tests/workflows/test_contract_readme.py).

The contract covers the case process (`SAGSFLOW_CASE_PROCESS_KEY`, `boernesag`) and every
process and decision it calls: its *family*. A deployment that changes no member of the family is
checked only against the support registry and the generic rules (guards, timer properties).

A deployment can waive an item it knowingly breaks: a process of the family carries the
extension property `waive:<item>` (for example `waive:field:decision.child_perspective_obtained`)
whose value says why. The deploy then answers with a warning instead of a refusal. Every problem
names its item.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.rules import RULES, LegalRule


@dataclass(frozen=True)
class ContractSettings:
    """Where the contract applies: the case process (and its family) and the configured groups."""

    case_process: str
    groups: frozenset[str]


# --- Property names the engine reads from the diagrams ------------------------------------------

PHASE = "phase"  # on user tasks: where a case stands for leaders
PURPOSE = "purpose"  # on boundary timers: what the engine records when it fires
DEADLINE = "deadline"  # on boundary timers: the rule the reports count it by
START_FACT = "start_fact"  # on duration timers: the recorded fact a duration counts from
BREACH = "breach"
REMINDER = "reminder"
PURPOSES = frozenset({BREACH, REMINDER})
GUARD_PREFIX = "guard:"
GUARD_MESSAGE = ":message"
GUARD_FIELD = ":field"
WAIVER_PREFIX = "waive:"


@dataclass(frozen=True)
class Consumer:
    """Who reads an item: what a leader, a caseworker or an integrator would lose without it."""

    what: str  # e.g. "the report *Andel afgørelser med barnets perspektiv*"
    code: str  # where, e.g. "engine/facts.py"

    def __str__(self) -> str:
        return f"{self.what} ({self.code})"


# --- Start variables of the case process ------------------------------------------------------

RECEIVED = "report_received_at"
REPORTER_TYPE = "reporter_type"
CHILD_REF = "child_ref"
REPORT_TEXT = "report_text"
START_VARIABLES = (RECEIVED, REPORTER_TYPE, CHILD_REF, REPORT_TEXT)
CASE_START = Consumer("POST /cases, which starts the case with these variables", "engine/instances.py")

# --- Recorded facts a deadline counts from (engine/deadlines.py's triggers), with Danish labels --

START_FACTS = {
    RECEIVED: "Underretningen er modtaget",
    "investigation_started_at": "Kommunen fik kendskab til behovet (børnefaglig undersøgelse)",
    "decision_date": "Afgørelsesdato",
    "intervention_started_at": "Indsatsen er iværksat",
    "follow_up_held_at": "Seneste opfølgning blev holdt",
    "placement_started_at": "Anbringelsesdato",
    "supervision_visit_held_at": "Seneste tilsynsbesøg",
}

# --- Phases (the `phase` property of user tasks), with the leaders' Danish labels ---------------

PHASES = {
    "underretning": "Underretning",
    "screening": "Screening",
    "afdaekning": "Afdækning",
    "undersoegelse": "Børnefaglig undersøgelse",
    "afgoerelse": "Afgørelse",
    "plan": "Barnets plan",
    "opstart": "Opstartsmøde",
    "opfoelgning": "Opfølgning",
    "tilsyn": "Personrettet tilsyn",
    "afslutning": "Afslutning",
}

# --- Candidate groups -------------------------------------------------------------------------

CASEWORKERS = "raadgiver"
LEADERS = "leder"
DEFAULT_GROUPS = (CASEWORKERS, LEADERS)  # the configured list (SAGSFLOW_CANDIDATE_GROUPS)
CASEWORKER_GROUP = Consumer(
    "the caseworkers' inbox and the case's caseworker (who holds a task of this group)", "engine/tasks.py"
)

# --- Fields the reports read when a step completes -------------------------------------------


@dataclass(frozen=True)
class Field:
    """A form field of a user task that a consumer reads when the task completes."""

    element_id: str
    variable: str
    consumer: Consumer

    @property
    def item(self) -> str:
        return f"field:{self.element_id}.{self.variable}"


@dataclass(frozen=True)
class Milestone:
    name: str  # the median's name in GET /reports/overview
    column: str  # instance column holding the days from the report to the step's date
    field: Field


@dataclass(frozen=True)
class Flag:
    name: str  # the share's name in GET /reports/overview
    field: Field
    counts: bool = True  # yes only when the field is submitted as exactly this


def _report(title: str) -> Consumer:
    return Consumer(f"the report *{title}*", "engine/facts.py, engine/reports.py")


MILESTONES = (
    Milestone(
        "first_talk",
        "first_talk_days",
        Field("first_talks", "child_talk_held_at", _report("Fra underretning til første samtale")),
    ),
    Milestone(
        "decision",
        "decision_days",
        Field("decision", "decision_date", _report("Fra underretning til afgørelse")),
    ),
    Milestone(
        "measure_start",
        "measure_start_days",
        Field("kickoff_meeting", "intervention_started_at", _report("Fra underretning til indsatsens start")),
    ),
)
FLAGS = (
    Flag(
        "child_perspective",
        Field("decision", "child_perspective_obtained", _report("Andel afgørelser med barnets perspektiv")),
    ),
    Flag(
        "talk_alone_before_follow_up",
        Field("follow_up", "child_talk_alone", _report("Andel opfølgninger med samtale med barnet alene")),
    ),
    Flag(
        "supervision_talk_without_staff",
        Field(
            "supervision_visit",
            "staff_present",
            _report("Andel tilsynssamtaler uden anbringelsesstedets personale"),
        ),
        counts=False,
    ),
)
FIELDS = tuple(m.field for m in MILESTONES) + tuple(f.field for f in FLAGS)

# --- Guards and deadlines of the law (engine/rules.py is where they are declared) ----------------


@dataclass(frozen=True)
class RequiredGuard:
    name: str  # guard:<name> on some user task of the family
    consumer: Consumer

    @property
    def item(self) -> str:
        return f"guard:{self.name}"


@dataclass(frozen=True)
class RequiredDeadline:
    rule: str  # the `deadline` property of a breach timer of the family
    title: str  # Danish, as the rule table names it

    @property
    def item(self) -> str:
        return f"deadline:{self.rule}"

    @property
    def consumer(self) -> Consumer:
        return Consumer(
            f"the report *Frister overholdt* (rule {self.rule}: {self.title})",
            "engine/reports.py, engine/rules.py",
        )


def _rule_consumer(rule: LegalRule) -> Consumer:
    where = "" if rule.paragraph in ("", "—") else f", {rule.paragraph}"
    return Consumer(f"the rule *{rule.title}* ({rule.basis.value}{where})", "engine/rules.py")


# Every guard of engine/rules.py: the shipped diagrams carry each of them.
GUARDS = tuple(RequiredGuard(name, _rule_consumer(rule)) for rule in RULES for name in rule.guards)
DEADLINES = tuple(RequiredDeadline(rule.deadline, rule.title) for rule in RULES if rule.deadline)


# --- Messages and signals ---------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    name: str
    payload: tuple[str, ...]  # the variables a correlation may carry into the case
    consumer: Consumer

    @property
    def item(self) -> str:
        return f"message:{self.name}"


@dataclass(frozen=True)
class Signal:
    name: str
    consumer: Consumer
    thrown: bool  # some element of the family must throw it
    caught: bool  # some element of the family must catch it

    @property
    def item(self) -> str:
        return f"signal:{self.name}"


DECISION_DURING_INVESTIGATION = "afgoerelse_under_undersoegelse"
MESSAGES = (
    Message(
        "ny_underretning",
        (RECEIVED, REPORTER_TYPE, REPORT_TEXT),
        Consumer("integrators' POST /messages for a new report on an open case", "workflows/README.md"),
    ),
    Message(
        DECISION_DURING_INVESTIGATION,
        (),
        Consumer(
            "a decision while the investigation runs (a § 46 placement, § 46, stk. 3; engine/rules.py)",
            "workflows/README.md",
        ),
    ),
)
DEADLINE_BREACHED = "frist_overskredet"
INVESTIGATION_FINISHED = "undersoegelse_afsluttet"
SIGNALS = (
    Signal(
        DEADLINE_BREACHED,
        Consumer("the leader's escalation task when a deadline is breached", "workflows/README.md"),
        thrown=True,
        caught=True,
    ),
    Signal(
        INVESTIGATION_FINISHED,
        Consumer(
            "the decision after an investigation, and a running measure's first follow-up at the "
            "investigation's end (§ 95; engine/rules.py)",
            "workflows/README.md",
        ),
        thrown=True,
        caught=True,
    ),
)
