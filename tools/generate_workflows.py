"""Scaffold of the barnets lov diagrams in workflows/ (run: .venv/bin/python tools/generate_workflows.py).

The generated .bpmn/.dmn files are the source of truth once committed: process owners open, change
and redeploy them in Camunda Modeler. Re-running this script overwrites such edits; it exists so the
first layout is reproducible and reviewable as code. Labels are Danish (users see them); ids,
variables, messages and properties are the contract in workflows/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bpmn_builder import COL, ROW, X0, Diagram, Document, Field, Node

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
BREACH_SIGNAL = ("signal_deadline_breached", "frist_overskredet")
STOP_SIGNAL = ("signal_measure_closed", "indsats_afsluttet")
PLACEMENT = '(measure_type == "placement_s46" || measure_type == "placement_s47")'
NOT_PLACEMENT = '(measure_type != "placement_s46" && measure_type != "placement_s47")'

YES_NO_DANGER = [
    Field("child_in_danger", "Er barnets sundhed eller udvikling i fare?", "boolean", required=True),
    Field("acute_measures", "Er der behov for akutte foranstaltninger?", "boolean", required=True),
    Field("assessment_note", "Vurdering (kort begrundelse)", "string"),
]


def user_task(
    d: Diagram,
    id: str,
    name: str,
    col: float,
    row: float,
    *,
    phase: str | None,
    group: str = "raadgiver",
    form: list[Field] | None = None,
    due: str | None = None,
    guards: dict[str, tuple[str, str]] | None = None,
) -> Node:
    attrs = {"camunda:candidateGroups": group}
    if due:
        attrs["camunda:dueDate"] = due
    properties = {"phase": phase} if phase else {}
    for name_, (expression, message) in (guards or {}).items():
        properties[f"guard:{name_}"] = expression
        properties[f"guard:{name_}:message"] = message
    return d.add("userTask", id, name, col, row, attrs=attrs, properties=properties, form=form or [])


def below(d: Diagram, host: str, slot: int, rows: float = 0.85) -> tuple[float, float]:
    node = d.nodes[host]
    return node.col + (-25 + 50 * slot) / COL, node.row + rows


def deadline_timer(
    d: Diagram,
    host: str,
    id: str,
    name: str,
    due: str,
    *,
    purpose: str,
    deadline: str,
    slot: int,
    escalate: bool,
) -> None:
    """A non-interrupting boundary timer on `host`: a reminder ends there; a breach signals the escalation."""
    d.add(
        "boundaryEvent",
        id,
        name,
        0,
        0,
        attrs={"cancelActivity": "false"},
        attached_to=host,
        slot=slot,
        event=("timer", {"timeDate": due}),
        properties={"purpose": purpose, "deadline": deadline},
    )
    col, row = below(d, host, slot)
    if escalate:
        throw = f"{id}_signal"
        d.add(
            "intermediateThrowEvent",
            throw,
            "Frist overskredet",
            col,
            row,
            event=("signal", {"ref": BREACH_SIGNAL[0]}),
        )
        d.add("endEvent", f"{id}_end", "Leder orienteret", col + 0.45, row)
        d.flow(id, throw)
        d.flow(throw, f"{id}_end")
    else:
        d.add("endEvent", f"{id}_end", "Påmindelse", col, row)
        d.flow(id, f"{id}_end")


# --- underretning.bpmn ------------------------------------------------------------------------


def underretning() -> Document:
    d = Diagram("underretning", "Håndtering af underretning")
    d.add("startEvent", "report_start", "Underretning modtaget", 0, 1)
    d.add("parallelGateway", "report_fork", None, 1, 1)
    user_task(
        d,
        "assess_report",
        "Vurdér barnets sikkerhed (inden 24 timer)",
        2.2,
        0,
        phase="underretning",
        form=YES_NO_DANGER,
        due="${report_assessment_due}",
    )
    deadline_timer(
        d,
        "assess_report",
        "assess_report_breach",
        "24 timer",
        "${report_assessment_due}",
        purpose="breach",
        deadline="report_assessment",
        slot=1,
        escalate=True,
    )
    d.add("exclusiveGateway", "receipt_needed", "Fagperson?", 2, 2.4)
    user_task(
        d,
        "send_receipt",
        "Send kvittering til underretter",
        3,
        2.4,
        phase="underretning",
        form=[Field("receipt_sent_at", "Kvittering sendt", "date", required=True)],
        due="${report_receipt_due}",
    )
    deadline_timer(
        d,
        "send_receipt",
        "send_receipt_breach",
        "6 hverdage",
        "${report_receipt_due}",
        purpose="breach",
        deadline="report_receipt",
        slot=1,
        escalate=True,
    )
    d.add("exclusiveGateway", "receipt_done", None, 4.2, 2.4)
    d.add("parallelGateway", "report_join", None, 5, 1)
    d.add("endEvent", "report_end", "Underretning håndteret", 6, 1)
    d.flow("report_start", "report_fork")
    d.flow("report_fork", "assess_report")
    d.flow("report_fork", "receipt_needed")
    d.flow("assess_report", "report_join")
    d.flow("receipt_needed", "send_receipt", name="Ja", condition='${reporter_type == "professional"}')
    d.flow("receipt_needed", "receipt_done", name="Nej", default=True, route="row:1.85")
    d.flow("send_receipt", "receipt_done")
    d.flow("receipt_done", "report_join")
    d.flow("report_join", "report_end")
    doc = Document("Definitions_underretning")
    doc.diagrams.append(d)
    doc.signals[BREACH_SIGNAL[0]] = BREACH_SIGNAL[1]
    return doc


# --- boernesag.bpmn (main process) ------------------------------------------------------------


def boernesag() -> Document:
    d = Diagram("boernesag", "Børnesag efter barnets lov")
    d.add("startEvent", "case_received", "Underretning modtaget", 0, 1)
    d.add(
        "callActivity", "handle_report", "Håndtér underretning", 1, 1, attrs={"calledElement": "underretning"}
    )
    user_task(
        d,
        "first_talks",
        "Samtale med barn og forældre",
        2,
        1,
        phase="screening",
        form=[
            Field("child_talk_held_at", "Samtale med barnet holdt", "date", required=True),
            Field("parents_talk_held_at", "Samtale med forældrene holdt", "date"),
            Field("talk_note", "Notat fra samtalerne", "string"),
        ],
    )
    user_task(
        d,
        "screening",
        "Screening (§ 18)",
        3,
        1,
        phase="screening",
        form=[
            Field("screening_assessment", "Skriftlig vurdering", "string", required=True),
            Field(
                "screening_outcome",
                "Udfald",
                "enum",
                required=True,
                options=(
                    ("close", "Luk sagen"),
                    ("early_support", "Tidlig forebyggende indsats (§§ 30-31)"),
                    ("assessment", "Afdækning (§ 19)"),
                    ("investigation", "Børnefaglig undersøgelse (§ 20)"),
                ),
            ),
            Field(
                "investigation_started_at",
                "Kommunen fik kendskab til behovet (BFU-frist regnes herfra)",
                "date",
                default="${add_days(report_received_at, 0)}",
            ),
        ],
        guards={
            "investigation_start": (
                '${screening_outcome != "investigation" || !empty investigation_started_at}',
                "Angiv datoen, hvor kommunen fik kendskab til behovet – fristen for den børnefaglige undersøgelse "
                "regnes herfra (§ 20)",
            )
        },
    )
    d.add("exclusiveGateway", "screening_route", "Udfald af screening?", 4, 1)
    user_task(
        d,
        "assessment",
        "Afdækning (§ 19)",
        5,
        0,
        phase="afdaekning",
        form=[
            Field("assessment_summary", "Resultat af afdækningen", "string", required=True),
            Field(
                "assessment_outcome",
                "Udfald",
                "enum",
                required=True,
                options=(
                    ("close", "Luk sagen"),
                    ("support", "Støttende indsats"),
                    ("investigation", "Børnefaglig undersøgelse"),
                ),
            ),
            Field(
                "investigation_started_at",
                "Kommunen fik kendskab til behovet (BFU-frist regnes herfra)",
                "date",
            ),
        ],
        guards={
            "investigation_start": (
                '${assessment_outcome != "investigation" || !empty investigation_started_at}',
                "Angiv datoen, hvor kommunen fik kendskab til behovet (§ 20)",
            )
        },
    )
    d.add("exclusiveGateway", "assessment_route", "Udfald af afdækning?", 6, 0)
    d.add("exclusiveGateway", "investigation_merge", None, 7, 1)
    user_task(
        d,
        "investigation",
        "Børnefaglig undersøgelse (§ 20)",
        8,
        1,
        phase="undersoegelse",
        form=[
            Field("investigation_summary", "Konklusion", "string", required=True),
            Field("investigation_completed_at", "Undersøgelsen afsluttet", "date", required=True),
        ],
        due="${investigation_due}",
    )
    deadline_timer(
        d,
        "investigation",
        "investigation_warning",
        "Varsel før 4 måneder",
        "${investigation_warning_at}",
        purpose="reminder",
        deadline="investigation",
        slot=0,
        escalate=False,
    )
    deadline_timer(
        d,
        "investigation",
        "investigation_breach",
        "4 måneder",
        "${investigation_due}",
        purpose="breach",
        deadline="investigation",
        slot=1,
        escalate=True,
    )
    d.add(
        "scriptTask",
        "mark_investigation_done",
        "Markér undersøgelsen som afsluttet",
        9.2,
        1,
        attrs={"scriptFormat": "python"},
        script="investigation_completed = True",
    )
    d.add("exclusiveGateway", "to_intervention", None, 10.3, 1)
    d.add(
        "callActivity",
        "intervention",
        "Afgørelse, indsats og opfølgning",
        11.3,
        1,
        attrs={"calledElement": "indsats"},
    )
    d.add("exclusiveGateway", "after_intervention", "Ny undersøgelse?", 12.4, 1)
    d.add("exclusiveGateway", "to_closing", None, 13.4, 1)
    d.add("callActivity", "close_case", "Afslut sagen", 14.4, 1, attrs={"calledElement": "afslutning"})
    d.add("endEvent", "case_closed", "Sagen er afsluttet", 15.5, 1)
    d.chain("case_received", "handle_report", "first_talks", "screening", "screening_route")
    d.flow(
        "screening_route", "assessment", name="Afdækning", condition='${screening_outcome == "assessment"}'
    )
    d.flow(
        "screening_route",
        "investigation_merge",
        name="BFU",
        condition='${screening_outcome == "investigation"}',
    )
    d.flow(
        "screening_route",
        "to_closing",
        name="Luk",
        condition='${screening_outcome == "close"}',
        route="row:2.7",
    )
    d.flow("screening_route", "to_intervention", name="Tidlig indsats", default=True, route="row:2.35")
    d.flow("assessment", "assessment_route")
    d.flow(
        "assessment_route",
        "investigation_merge",
        name="BFU",
        condition='${assessment_outcome == "investigation"}',
    )
    d.flow(
        "assessment_route",
        "to_closing",
        name="Luk",
        condition='${assessment_outcome == "close"}',
        route="row:-0.5",
    )
    d.flow("assessment_route", "to_intervention", name="Støtte", default=True, route="row:0")
    d.chain(
        "investigation_merge",
        "investigation",
        "mark_investigation_done",
        "to_intervention",
        "intervention",
        "after_intervention",
    )
    d.flow(
        "after_intervention",
        "investigation_merge",
        name="Ny undersøgelse",
        condition='${follow_up_outcome == "new_investigation"}',
        route="row:3.2",
    )
    d.flow("after_intervention", "to_closing", default=True)
    d.chain("to_closing", "close_case", "case_closed")
    _new_report_subprocess(d)
    _escalation_subprocess(d)
    doc = Document("Definitions_boernesag")
    doc.diagrams.append(d)
    doc.messages["message_new_report"] = "ny_underretning"
    doc.signals[BREACH_SIGNAL[0]] = BREACH_SIGNAL[1]
    return doc


def _new_report_subprocess(d: Diagram) -> None:
    sub = Diagram("new_report", "Ny underretning", origin=(X0 + 0.6 * COL, X0 + 4.6 * ROW))
    sub.add(
        "startEvent",
        "new_report_received",
        "Ny underretning",
        0,
        0,
        attrs={"isInterrupting": "false"},
        event=("message", {"ref": "message_new_report"}),
    )
    user_task(
        sub,
        "assess_new_report",
        "Vurdér den nye underretning (inden 24 timer)",
        1,
        0,
        phase=None,
        form=YES_NO_DANGER,
        due="${report_assessment_due}",
    )
    deadline_timer(
        sub,
        "assess_new_report",
        "assess_new_report_breach",
        "24 timer",
        "${report_assessment_due}",
        purpose="breach",
        deadline="report_assessment",
        slot=1,
        escalate=True,
    )
    sub.add("endEvent", "new_report_assessed", "Vurderet", 2.3, 0)
    sub.chain("new_report_received", "assess_new_report", "new_report_assessed")
    d.add(
        "subProcess",
        "new_report",
        "Ny underretning på en åben sag",
        0,
        0,
        attrs={"triggeredByEvent": "true"},
        children=sub,
    )


def _escalation_subprocess(d: Diagram) -> None:
    sub = Diagram("escalation", "Frist overskredet", origin=(X0 + 5.2 * COL, X0 + 4.6 * ROW))
    sub.add(
        "startEvent",
        "deadline_breached",
        "Frist overskredet",
        0,
        0,
        attrs={"isInterrupting": "false"},
        event=("signal", {"ref": BREACH_SIGNAL[0]}),
    )
    user_task(
        sub,
        "escalate_deadline",
        "Ledelsestilsyn: frist overskredet",
        1,
        0,
        phase=None,
        group="leder",
        form=[Field("escalation_note", "Hvad er der gjort?", "string", required=True)],
    )
    sub.add("endEvent", "escalation_handled", "Håndteret", 2, 0)
    sub.chain("deadline_breached", "escalate_deadline", "escalation_handled")
    d.add(
        "subProcess",
        "escalation",
        "Eskalering til leder",
        0,
        0,
        attrs={"triggeredByEvent": "true"},
        children=sub,
    )


# --- indsats.bpmn -----------------------------------------------------------------------------


def indsats() -> Document:
    d = Diagram("indsats", "Afgørelse, indsats og opfølgning", origin=(X0, X0 + ROW))
    d.add("startEvent", "measure_start", "Behov for indsats", 0, 1)
    user_task(
        d,
        "decision",
        "Træf afgørelse",
        1,
        1,
        phase="afgoerelse",
        form=[
            Field("decision_date", "Afgørelsesdato", "date", required=True),
            Field(
                "measure_type",
                "Indsats",
                "enum",
                required=True,
                options=(
                    ("early_support_s30", "Tidlig forebyggende indsats (§ 30)"),
                    ("support_s32", "Støttende indsats (§ 32)"),
                    ("placement_s46", "Anbringelse med samtykke (§ 46)"),
                    ("placement_s47", "Anbringelse uden samtykke (§ 47)"),
                    ("none", "Ingen indsats"),
                ),
            ),
            Field("measure_paragraph", "Paragraf", "string", required=True),
            Field("purpose", "Formål med indsatsen (§ 32, stk. 3)", "string", required=True),
            Field("expected_duration", "Forventet varighed", "string", required=True),
            Field(
                "concern_level",
                "Bekymringsniveau",
                "enum",
                required=True,
                options=(("low", "Lav"), ("medium", "Middel"), ("high", "Høj")),
            ),
            Field(
                "child_plan_decided", "Udarbejdes barnets plan / ungeplan? (§ 91)", "boolean", required=True
            ),
            Field("child_plan_reason", "Begrundelse, hvis der ikke udarbejdes en plan", "string"),
            Field(
                "child_perspective_obtained",
                "Er barnets synspunkter indhentet? (§ 5, stk. 3)",
                "boolean",
                required=True,
            ),
            Field(
                "child_perspective",
                "Barnets perspektiv – eller hvorfor det ikke kunne indhentes",
                "string",
                required=True,
            ),
            Field("placement_started_at", "Anbringelsesdato", "date"),
        ],
        guards={
            "bfu_before_placement": (
                f"${{{NOT_PLACEMENT} || investigation_completed == true}}",
                "En anbringelse (§ 46/§ 47) kræver en afsluttet børnefaglig undersøgelse (§ 20)",
            ),
            "plan_on_placement": (
                f"${{{NOT_PLACEMENT} || child_plan_decided == true}}",
                "Ved anbringelse skal der udarbejdes en barnets plan (§ 91, stk. 2)",
            ),
            "placement_date": (
                f"${{{NOT_PLACEMENT} || !empty placement_started_at}}",
                "Angiv anbringelsesdatoen",
            ),
            "plan_reason": (
                "${child_plan_decided == true || !empty child_plan_reason}",
                "Begrund, hvorfor der ikke udarbejdes en plan (§ 91)",
            ),
        },
    )
    d.add(
        "businessRuleTask",
        "propose_interval",
        "Foreslå opfølgningsinterval",
        2,
        1,
        attrs={"camunda:decisionRef": "follow_up_interval"},
    )
    d.add("parallelGateway", "after_decision", None, 3, 1)
    d.chain("measure_start", "decision", "propose_interval", "after_decision")
    # The plan (§ 91): within 3 months of the decision.
    d.add("exclusiveGateway", "plan_needed", "Plan besluttet?", 4, -0.45)
    user_task(
        d,
        "child_plan",
        "Udarbejd barnets plan / ungeplan (§ 91)",
        5,
        -0.45,
        phase="plan",
        form=[Field("child_plan_made_at", "Planen er udarbejdet", "date", required=True)],
        due="${child_plan_due}",
    )
    deadline_timer(
        d,
        "child_plan",
        "child_plan_reminder",
        "14 dage før fristen",
        "${child_plan_reminder_at}",
        purpose="reminder",
        deadline="child_plan",
        slot=0,
        escalate=False,
    )
    deadline_timer(
        d,
        "child_plan",
        "child_plan_breach",
        "3 måneder",
        "${child_plan_due}",
        purpose="breach",
        deadline="child_plan",
        slot=1,
        escalate=True,
    )
    d.add("exclusiveGateway", "plan_merge", None, 6.2, -0.45)
    d.add("endEvent", "plan_end", "Plan håndteret", 7, -0.45)
    d.flow("after_decision", "plan_needed")
    d.flow("plan_needed", "child_plan", name="Ja", condition="${child_plan_decided == true}")
    d.flow("plan_needed", "plan_merge", name="Nej", default=True, route="row:-1.15")
    d.chain("child_plan", "plan_merge", "plan_end")
    # Start-up meeting and the follow-up loop.
    user_task(
        d,
        "kickoff_meeting",
        "Opstartsmøde",
        4,
        1,
        phase="opstart",
        form=[
            Field("participants", "Deltagere (barn, forældre, netværk, udfører)", "string", required=True),
            Field("intervention_started_at", "Indsatsen starter", "date", required=True),
            Field(
                "next_follow_up_date",
                "Første opfølgning (aftalt)",
                "date",
                default="${add_days(decision_date, follow_up_interval_days)}",
            ),
        ],
    )
    d.add("exclusiveGateway", "follow_up_merge", None, 5, 1)
    user_task(
        d,
        "follow_up",
        "Opfølgning",
        6,
        1,
        phase="opfoelgning",
        form=[
            Field("child_talk_alone", "Talte du med barnet alene først?", "boolean", required=True),
            Field("provider_status", "Status fra udfører", "string"),
            Field("follow_up_assessment", "Skriftlig vurdering", "string", required=True),
            Field(
                "follow_up_outcome",
                "Udfald",
                "enum",
                required=True,
                options=(
                    ("continue", "Fortsæt"),
                    ("adjust", "Justér indsatsen"),
                    ("new_investigation", "Ny udredning"),
                    ("close", "Afslut indsatsen"),
                ),
            ),
            Field("follow_up_held_at", "Opfølgningen blev holdt", "date", required=True),
            Field(
                "next_follow_up_date",
                "Næste opfølgning (aftalt)",
                "date",
                default="${add_days(follow_up_due, follow_up_interval_days)}",
            ),
            Field("investigation_started_at", "Dato for nyt kendskab til behov (ved ny udredning)", "date"),
        ],
        due="${follow_up_due}",
        guards={
            "investigation_start": (
                '${follow_up_outcome != "new_investigation" || !empty investigation_started_at}',
                "Angiv datoen for kendskab til det nye behov (§ 20)",
            )
        },
    )
    deadline_timer(
        d,
        "follow_up",
        "follow_up_breach",
        "Opfølgningsfrist",
        "${follow_up_due}",
        purpose="breach",
        deadline="follow_up",
        slot=0,
        escalate=True,
    )
    d.add("exclusiveGateway", "follow_up_route", "Fortsætter indsatsen?", 7.2, 1)
    d.add(
        "intermediateThrowEvent",
        "measure_closed",
        "Indsatsen afsluttes",
        8.2,
        1,
        event=("signal", {"ref": STOP_SIGNAL[0]}),
    )
    d.add("endEvent", "measure_end", "Indsats afsluttet", 9.2, 1)
    d.flow("after_decision", "kickoff_meeting")
    d.chain("kickoff_meeting", "follow_up_merge", "follow_up", "follow_up_route")
    d.flow("follow_up_route", "follow_up_merge", name="Fortsæt / justér", default=True, route="row:1.62")
    d.flow(
        "follow_up_route",
        "measure_closed",
        name="Afslut / ny udredning",
        condition='${follow_up_outcome == "close" || follow_up_outcome == "new_investigation"}',
    )
    d.flow("measure_closed", "measure_end")
    # Personal supervision of a placed child, at least twice a year.
    d.add("exclusiveGateway", "is_placement", "Anbringelse?", 4, 2.6)
    d.add("endEvent", "no_supervision", "Intet tilsyn", 4.8, 3.4)
    d.add("exclusiveGateway", "supervision_merge", None, 5, 2.6)
    user_task(
        d,
        "supervision_visit",
        "Personrettet tilsyn (mindst to gange om året)",
        6,
        2.6,
        phase="tilsyn",
        form=[
            Field("supervision_visit_held_at", "Tilsynsbesøget blev holdt", "date", required=True),
            Field("child_talk_alone", "Talte I med barnet alene?", "boolean", required=True),
            Field("second_caseworker", "Anden rådgiver ved besøget", "string", required=True),
            Field("supervision_note", "Notat", "string"),
        ],
        due="${supervision_visit_due}",
    )
    deadline_timer(
        d,
        "supervision_visit",
        "supervision_breach",
        "6 måneder",
        "${supervision_visit_due}",
        purpose="breach",
        deadline="supervision",
        slot=0,
        escalate=True,
    )
    d.add(
        "boundaryEvent",
        "supervision_stopped",
        "Indsatsen afsluttet",
        0,
        0,
        attached_to="supervision_visit",
        slot=1,
        event=("signal", {"ref": STOP_SIGNAL[0]}),
    )
    col, row = below(d, "supervision_visit", 1)
    d.add("endEvent", "supervision_end", "Tilsyn ophørt", col + 0.45, row)
    d.flow("supervision_stopped", "supervision_end")
    d.flow("after_decision", "is_placement")
    d.flow("is_placement", "supervision_merge", name="Ja", condition=f"${{{PLACEMENT}}}")
    d.flow("is_placement", "no_supervision", name="Nej", default=True)
    d.flow("supervision_merge", "supervision_visit")
    d.flow("supervision_visit", "supervision_merge", route="row:3.25")
    doc = Document("Definitions_indsats")
    doc.diagrams.append(d)
    doc.signals[BREACH_SIGNAL[0]] = BREACH_SIGNAL[1]
    doc.signals[STOP_SIGNAL[0]] = STOP_SIGNAL[1]
    return doc


# --- afslutning.bpmn --------------------------------------------------------------------------


def afslutning() -> Document:
    d = Diagram("afslutning", "Afslutning af sagen")
    d.add("startEvent", "closing_start", "Sagen skal afsluttes", 0, 0)
    user_task(
        d,
        "closing",
        "Afslut sagen (møde eller brev)",
        1,
        0,
        phase="afslutning",
        form=[
            Field(
                "closing_method",
                "Afslutning",
                "enum",
                required=True,
                options=(("meeting", "Møde"), ("letter", "Brev")),
            ),
            Field(
                "contact_info_given",
                "Er familien oplyst om, hvem de kan kontakte ved ny bekymring?",
                "boolean",
                required=True,
            ),
            Field("closing_note", "Notat", "string"),
        ],
    )
    d.add("endEvent", "closing_end", "Afsluttet", 2, 0)
    d.chain("closing_start", "closing", "closing_end")
    doc = Document("Definitions_afslutning")
    doc.diagrams.append(d)
    return doc


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_follow_up_interval" name="Opfølgningsinterval" namespace="http://camunda.org/schema/1.0/dmn" exporter="Camunda Modeler" exporterVersion="5.50.1" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.23.0">
  <decision id="follow_up_interval" name="Foreslået opfølgningsinterval">
    <decisionTable id="follow_up_interval_table" hitPolicy="FIRST">
      <input id="input_concern" label="Bekymringsniveau">
        <inputExpression id="input_concern_expression" typeRef="string"><text>concern_level</text></inputExpression>
      </input>
      <input id="input_measure" label="Indsats">
        <inputExpression id="input_measure_expression" typeRef="string"><text>measure_type</text></inputExpression>
      </input>
      <output id="output_days" label="Dage til næste opfølgning" name="follow_up_interval_days" typeRef="integer" />
      <rule id="rule_high">
        <description>Høj bekymring: opfølgning hver 14. dag (praksis i højrisikosager)</description>
        <inputEntry id="rule_high_concern"><text>"high"</text></inputEntry>
        <inputEntry id="rule_high_measure"><text>-</text></inputEntry>
        <outputEntry id="rule_high_days"><text>14</text></outputEntry>
      </rule>
      <rule id="rule_medium_placement">
        <description>Middel bekymring og anbringelse: månedlig opfølgning</description>
        <inputEntry id="rule_medium_placement_concern"><text>"medium"</text></inputEntry>
        <inputEntry id="rule_medium_placement_measure"><text>"placement_s46","placement_s47"</text></inputEntry>
        <outputEntry id="rule_medium_placement_days"><text>30</text></outputEntry>
      </rule>
      <rule id="rule_medium">
        <description>Middel bekymring: hver anden måned</description>
        <inputEntry id="rule_medium_concern"><text>"medium"</text></inputEntry>
        <inputEntry id="rule_medium_measure"><text>-</text></inputEntry>
        <outputEntry id="rule_medium_days"><text>60</text></outputEntry>
      </rule>
      <rule id="rule_default">
        <description>Ellers: inden for 3 måneder (første opfølgning)</description>
        <inputEntry id="rule_default_concern"><text>-</text></inputEntry>
        <inputEntry id="rule_default_measure"><text>-</text></inputEntry>
        <outputEntry id="rule_default_days"><text>90</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_follow_up_interval">
      <dmndi:DMNShape id="DMNShape_follow_up_interval" dmnElementRef="follow_up_interval">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""


def main() -> None:
    for name, document in (
        ("underretning", underretning()),
        ("boernesag", boernesag()),
        ("indsats", indsats()),
        ("afslutning", afslutning()),
    ):
        (WORKFLOWS / f"{name}.bpmn").write_bytes(document.xml())
    (WORKFLOWS / "opfoelgningsinterval.dmn").write_text(DMN, encoding="utf-8")


if __name__ == "__main__":
    main()
