"""Report responses (mapped from engine/reports.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from engine import reports


class PhaseOut(BaseModel):
    phase: str | None
    cases: int
    longest_days: float | None


class ComplianceOut(BaseModel):
    """One deadline rule: share_met = met / (met + breached); cancelled deadlines (the measure or
    case ended first) are counted apart and never as met (engine/reports.py)."""

    deadline: str
    met: int
    breached: int
    cancelled: int
    share_met: float | None
    paragraph: str = Field(description="of barnets lov; — for a municipality's own rule")
    basis: Literal["law", "law_unconfirmed", "policy"] = Field(
        description="law, law whose paragraph/subsection is unconfirmed, or municipal policy"
    )


class LateInvestigationsOut(BaseModel):
    """Investigations past their 4 months (§ 20, stk. 3): a foreløbig vurdering, then "snarest"."""

    breached: int
    provisional_assessments: int
    finished: int
    median_days_late: float | None = Field(description="days from the last day to the day finished")


class ShareOut(BaseModel):
    name: str
    yes: int
    total: int
    share: float | None


class CaseloadOut(BaseModel):
    caseworker: str | None
    cases: int


class ChangesOut(BaseModel):
    changes: int
    cases: int


class MedianOut(BaseModel):
    name: str
    cases: int
    median_days: float | None


class OverviewOut(BaseModel):
    phases: list[PhaseOut]
    compliance: list[ComplianceOut]
    shares: list[ShareOut]
    caseload: list[CaseloadOut]
    caseworker_changes: list[ChangesOut]
    throughput: list[MedianOut]
    late_investigations: LateInvestigationsOut

    @classmethod
    def of(cls, o: reports.Overview) -> OverviewOut:
        return cls(
            phases=[PhaseOut(phase=p.phase, cases=p.cases, longest_days=p.longest_days) for p in o.phases],
            compliance=[ComplianceOut(**vars(c)) for c in o.compliance],
            shares=[ShareOut(**vars(s)) for s in o.shares],
            caseload=[CaseloadOut(caseworker=w, cases=n) for w, n in o.caseload],
            caseworker_changes=[ChangesOut(changes=c, cases=n) for c, n in o.caseworker_changes],
            throughput=[MedianOut(**vars(m)) for m in o.throughput],
            late_investigations=LateInvestigationsOut(**vars(o.late_investigations)),
        )

    def csv_rows(self) -> list[list[object]]:
        rows: list[list[object]] = [["section", "name", "value", "count", "total", "cancelled", "basis"]]
        rows += [["phase", p.phase, p.longest_days, p.cases, "", "", ""] for p in self.phases]
        rows += [
            ["deadline", c.deadline, c.share_met, c.met, c.met + c.breached, c.cancelled, c.basis]
            for c in self.compliance
        ]
        rows += [["share", s.name, s.share, s.yes, s.total, "", ""] for s in self.shares]
        rows += [["caseload", c.caseworker, "", c.cases, "", "", ""] for c in self.caseload]
        rows += [["caseworker_changes", c.changes, "", c.cases, "", "", ""] for c in self.caseworker_changes]
        rows += [["median_days", m.name, m.median_days, m.cases, "", "", ""] for m in self.throughput]
        late = self.late_investigations
        rows += [
            [
                "late_investigations",
                "median_days_late",
                late.median_days_late,
                late.finished,
                late.breached,
                "",
                "law",
            ]
        ]
        rows += [
            [
                "late_investigations",
                "provisional_assessments",
                "",
                late.provisional_assessments,
                late.breached,
                "",
                "law",
            ]
        ]
        return rows


class StandingOut(BaseModel):
    case_id: str
    business_key: str | None
    phase: str | None
    days_in_phase: float
    current_tasks: list[str]
    caseworker: str | None
    team: str | None

    @classmethod
    def of(cls, s: reports.CaseStanding) -> StandingOut:
        return cls(
            case_id=s.id,
            business_key=s.business_key,
            phase=s.phase,
            days_in_phase=s.days_in_phase,
            current_tasks=list(s.current_tasks),
            caseworker=s.caseworker,
            team=s.team,
        )


class StandingsOut(BaseModel):
    items: list[StandingOut]
    total: int


class DeadlineOut(BaseModel):
    case_id: str
    business_key: str | None
    deadline: str | None
    element_id: str
    due_at: datetime
    due_date: date | None
    due_kind: str | None
    status: str
    caseworker: str | None
    team: str | None

    @classmethod
    def of(cls, d: reports.DeadlineRow) -> DeadlineOut:
        return cls(**vars(d))


class DeadlinesOut(BaseModel):
    due_soon: list[DeadlineOut]
    breached: list[DeadlineOut]


class HolderOut(BaseModel):
    user: str
    open_tasks: int
    overdue_tasks: int
    due_soon_tasks: int
    active_cases: int


class WorkloadOut(BaseModel):
    items: list[HolderOut]

    @classmethod
    def of(cls, holders: list[reports.Holder]) -> WorkloadOut:
        return cls(items=[HolderOut(**vars(h)) for h in holders])
