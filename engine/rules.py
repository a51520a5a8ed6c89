"""The rules of barnets lov that Sagsflow enforces or reminds about, each marked law or municipal policy.

One entry per rule: its paragraph in barnets lov (LOV nr 721 af 14.6.2023, as consolidated in
LBK nr 282 af 17/03/2025), its basis, and where the engine applies it: the deadline rule name
(the `deadline` property of the diagrams' timers, and the name the reports count by), the
completion guards (`guard:<name>` on a user task) and the `DeadlineSettings` field that holds
its number. The source of the paragraphs is shared/legal-deadlines.md.

Basis:
- `law`: read in the consolidated act's text;
- `law_unconfirmed`: known practice whose paragraph or subsection was not confirmed from the act's
  text here; implemented as a named, configurable default for a municipality's lawyer to check;
- `policy`: not in the law; the municipality's own choice (a configurable default), and reported
  as policy, never as law.

`tests/workflows` holds the diagrams to this table: every guard and every timer rule in
workflows/*.bpmn is listed here, and every guard and deadline named here is in a diagram.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Basis(StrEnum):
    LAW = "law"
    LAW_UNCONFIRMED = "law_unconfirmed"
    POLICY = "policy"


@dataclass(frozen=True)
class LegalRule:
    id: str
    title: str  # Danish, as leaders and caseworkers read it
    paragraph: str  # "—" for municipal policy
    basis: Basis
    deadline: str | None = None  # the timers' `deadline` property and the reports' rule name
    guards: tuple[str, ...] = ()  # `guard:<name>` properties that enforce it
    setting: str | None = None  # the DeadlineSettings field holding its number
    elements: tuple[str, ...] = ()  # other diagram elements that carry it (a task, a gateway)
    note: str = ""


RULES: tuple[LegalRule, ...] = (
    LegalRule(
        "report_assessment",
        "Underretningen vurderes inden 24 timer",
        "§ 136",
        Basis.LAW,
        deadline="report_assessment",
        setting="assessment_hours",
        note="24 clock hours, nights and weekends included (an elapsed deadline). The rule is "
        "verified in the ministry's guidance; the subsection was not seen.",
        elements=("assess_report", "assess_new_report"),
    ),
    LegalRule(
        "report_receipt",
        "Modtagelsen af underretningen bekræftes inden 6 hverdage",
        "§ 137 (stykke ikke bekræftet)",
        Basis.LAW_UNCONFIRMED,
        deadline="report_receipt",
        setting="receipt_working_days",
        note="6 working days after the day of receipt (a calendar deadline: the last working "
        "day). The number is stated by municipalities' public pages; the paragraph and "
        "subsection are from secondary sources (old Serviceloven § 155 b).",
        elements=("send_receipt",),
    ),
    LegalRule(
        "receipt_reporters",
        "Hvilke underrettere der får kvittering",
        "—",
        Basis.POLICY,
        setting="receipt_reporter_types",
        note="Sources differ on whether the receipt goes to every identifiable reporter or to "
        "professionals only. Default: every reporter who is not anonymous.",
        elements=("receipt_needed",),
    ),
    LegalRule(
        "reporter_feedback",
        "Fagpersoner, der har underrettet, får besked om, hvorvidt der er iværksat en "
        "undersøgelse eller en indsats",
        "§ 133, § 137 (stykke ikke bekræftet)",
        Basis.LAW_UNCONFIRMED,
        note="The task `reporter_feedback` after the screening, for a professional reporter (what was "
        "started: an investigation, a measure, an afdækning, or nothing). No deadline is modelled: "
        "none was confirmed from the act's text.",
        elements=("reporter_feedback",),
    ),
    LegalRule(
        "investigation",
        "Den børnefaglige undersøgelse afsluttes inden 4 måneder",
        "§ 20, stk. 3",
        Basis.LAW,
        deadline="investigation",
        guards=("investigation_start",),
        setting="investigation_months",
        note="Counted from the day the municipality became aware that the child may need "
        "support (`investigation_started_at`); the last day is the same date 4 months later.",
        elements=("investigation",),
    ),
    LegalRule(
        "investigation_warning",
        "Varsel til rådgiveren før fristen for undersøgelsen",
        "—",
        Basis.POLICY,
        setting="investigation_warning_months",
        note="A reminder 3 months in (default).",
        elements=("investigation_warning",),
    ),
    LegalRule(
        "provisional_assessment",
        "Kan undersøgelsen ikke afsluttes inden 4 måneder: en foreløbig vurdering, og "
        "undersøgelsen færdiggøres snarest",
        "§ 20, stk. 3",
        Basis.LAW,
        note="When the last day has ended the caseworker gets the task `provisional_assessment` (the "
        "assessment and the day the investigation is expected to finish); the reports count late "
        "investigations and how many days after their last day they finished.",
        elements=("provisional_assessment",),
    ),
    LegalRule(
        "bfu_before_placement",
        "Anbringelse uden samtykke (§ 47) kræver en afsluttet børnefaglig undersøgelse; "
        "anbringelse med samtykke (§ 46) kan træffes, mens undersøgelsen pågår",
        "§ 47, stk. 2; § 46, stk. 3 / § 143; § 20, stk. 1",
        Basis.LAW,
        guards=("bfu_before_placement",),
        note="The text of § 46, stk. 3 was not seen; the reference is verified through § 95, "
        "stk. 2. A § 46 placement during the investigation is decided through the message "
        "`afgoerelse_under_undersoegelse`; the investigation then continues and must finish.",
        elements=("decision", "decision_requested", "intervention_during_investigation"),
    ),
    LegalRule(
        "plan_before_s47",
        "Barnets plan foreligger, før der træffes afgørelse om anbringelse uden samtykke",
        "§ 51, stk. 1, nr. 3; § 91",
        Basis.LAW,
        guards=("plan_before_s47",),
        elements=("decision",),
    ),
    LegalRule(
        "plan_on_placement",
        "Ved anbringelse udarbejdes altid en barnets plan",
        "§ 91",
        Basis.LAW,
        guards=("plan_on_placement",),
    ),
    LegalRule(
        "plan_decided",
        "Ved en støttende indsats (§ 32) træffes der beslutning om, hvorvidt der udarbejdes en plan",
        "§ 91",
        Basis.LAW,
        note="The decision form's required field `child_plan_decided`.",
        elements=("decision",),
    ),
    LegalRule(
        "plan_reason",
        "Begrundelse, når der ikke udarbejdes en plan",
        "—",
        Basis.POLICY,
        guards=("plan_reason",),
    ),
    LegalRule(
        "child_plan",
        "Barnets plan udarbejdes inden 3 måneder",
        "§ 91",
        Basis.LAW,
        deadline="child_plan",
        setting="child_plan_months",
        note="Counted from the decision; the last day is the same date 3 months later.",
        elements=("child_plan",),
    ),
    LegalRule(
        "child_plan_reminder",
        "Påmindelse før fristen for barnets plan",
        "—",
        Basis.POLICY,
        setting="reminder_days_before",
        elements=("child_plan_reminder",),
    ),
    LegalRule(
        "child_heard",
        "Barnet høres før enhver afgørelse; undtagelse kun i helt særlige tilfælde, og så "
        "indhentes barnets synspunkter på anden måde",
        "§ 5, stk. 3-4",
        Basis.LAW,
        guards=("child_heard",),
        note="The exception requires both the reason and the other way the child's view was "
        "obtained to be recorded.",
        elements=("decision", "follow_up"),
    ),
    LegalRule(
        "purpose_and_duration",
        "Afgørelsen angiver indsatsens formål og forventede varighed",
        "§ 32, stk. 3",
        Basis.LAW,
        note="Required fields `purpose` and `expected_duration` of the decision.",
        elements=("decision",),
    ),
    LegalRule(
        "placement_date",
        "Anbringelsesdatoen angives (tilsynsfristen regnes herfra)",
        "§ 156, stk. 5",
        Basis.LAW,
        guards=("placement_date",),
    ),
    LegalRule(
        "follow_up",
        "Første opfølgning senest 3 måneder efter iværksættelsen eller ved afslutningen af en "
        "sideløbende afdækning eller undersøgelse, hvis det er tidligere; derefter på de aftalte datoer",
        "§ 95",
        Basis.LAW,
        deadline="follow_up",
        setting="first_follow_up_months",
        note="The later follow-ups fall on the dates agreed at each meeting: there is no "
        "statutory maximum interval after the first one (the 6-month rule was the old "
        "Serviceloven § 70).",
        elements=("follow_up", "follow_up_moves"),
    ),
    LegalRule(
        "follow_up_plan",
        "Ved første opfølgning besluttes, hvordan der følges op fremover, og det forklares "
        "barnet og forældrene",
        "§ 95",
        Basis.LAW,
        note="Required fields `follow_up_plan` (kept from one follow-up to the next) and "
        "`follow_up_plan_explained` of `follow_up`.",
        elements=("follow_up",),
    ),
    LegalRule(
        "follow_up_default_interval",
        "Opfølgningsinterval, når der ikke er aftalt en dato",
        "—",
        Basis.POLICY,
        setting="follow_up_default_months",
        note="Municipal policy, not law: used only when a follow-up sets no next date.",
    ),
    LegalRule(
        "follow_up_proposal",
        "Foreslået dato for næste opfølgning (beslutningstabellen follow_up_interval), altid en hverdag",
        "—",
        Basis.POLICY,
        elements=("propose_interval", "kickoff_meeting"),
    ),
    LegalRule(
        "supervision",
        "Personrettet tilsyn: mindst to tilsynsbesøg om året på anbringelsesstedet",
        "§ 156, stk. 5",
        Basis.LAW,
        deadline="supervision",
        note="The engine keeps at most `supervision_interval_months` (policy, default 6) "
        "between visits, which gives at least two a year.",
        elements=("supervision_visit",),
    ),
    LegalRule(
        "supervision_interval",
        "Højst 6 måneder mellem tilsynsbesøg",
        "—",
        Basis.POLICY,
        setting="supervision_interval_months",
    ),
    LegalRule(
        "supervision_talk",
        "Ved hvert tilsynsbesøg tales der med barnet, så vidt muligt uden anbringelsesstedets "
        "personale til stede",
        "§ 156, stk. 5",
        Basis.LAW,
        guards=("supervision_talk", "supervision_staff"),
        note="Each visit records that it was at the placement, the talk with the child and whether "
        "the placement's staff were present (and why). There is no two-caseworker rule in the law.",
        elements=("supervision_visit",),
    ),
)

BY_ID = {rule.id: rule for rule in RULES}
DEADLINE_RULE_NAMES = frozenset(rule.deadline for rule in RULES if rule.deadline)
ELEMENTS = frozenset(element for rule in RULES for element in rule.elements)
GUARD_NAMES = frozenset(guard for rule in RULES for guard in rule.guards)


def rule(rule_id: str) -> LegalRule:
    """The rule `rule_id` (KeyError if there is none)."""
    return BY_ID[rule_id]


BASIS_TEXT = {
    Basis.LAW: "law",
    Basis.LAW_UNCONFIRMED: "law (paragraph/subsection unconfirmed)",
    Basis.POLICY: "municipal policy",
}


def markdown_table() -> str:
    """The rules as the table in workflows/README.md (kept equal to it by tests/workflows)."""
    lines = [
        "| rule | what | paragraph | basis | where in the diagrams |",
        "|---|---|---|---|---|",
    ]
    for entry in RULES:
        where = [f"timers `deadline={entry.deadline}`"] if entry.deadline else []
        where += [f"guard `{guard}`" for guard in entry.guards]
        where += [f"setting `{entry.setting}`"] if entry.setting else []
        where += [f"`{element}`" for element in entry.elements]
        cells = (
            f"`{entry.id}`",
            entry.title,
            entry.paragraph,
            BASIS_TEXT[entry.basis],
            ", ".join(where) or "–",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
