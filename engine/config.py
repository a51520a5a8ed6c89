"""Engine settings, read from the environment (prefix SAGSFLOW_) when the composition root asks."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.contract import DEFAULT_GROUPS

DEFAULT_WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"


class EngineSettings(BaseSettings):
    """Everything the engine needs to know about its environment. No module-level instance."""

    model_config = SettingsConfigDict(env_prefix="SAGSFLOW_", extra="ignore")

    database_url: str = "sqlite:///./sagsflow.db"
    workflows_dir: Path = DEFAULT_WORKFLOWS
    deploy_workflows_on_start: bool = True
    case_process_key: str = Field(default="boernesag", description="process started by POST /cases")
    operator_municipality: str | None = Field(
        default=None,
        description="the municipality whose admins deploy shared (national) definitions: their "
        "deployments without a tenant id are shared by every municipality (engine/definitions.py)",
    )
    candidate_groups: str = Field(
        default=",".join(DEFAULT_GROUPS),
        description="comma-separated candidate groups the case processes may use (the diagram contract)",
    )
    script_seconds: float = Field(default=2.0, gt=0, description="time limit of one script task")
    step_max_tasks: int = Field(default=5_000, gt=0, description="engine tasks one command may run")
    step_seconds: float = Field(default=10.0, gt=0, description="time limit of one command's engine steps")
    resident_workflows: int = Field(
        default=256,
        ge=0,
        description="cases whose workflow each process keeps in memory after saving it, so the next "
        "step on the same case skips deserializing its state (0: off)",
    )
    timer_batch: int = Field(default=200, gt=0)
    timer_lease_seconds: float = Field(
        default=15.0,
        gt=0,
        description="how long a claimed timer is reserved for its worker; a crashed worker's claims "
        "fire elsewhere after this (firing itself is guarded by the instance lock, so never twice)",
    )
    timer_max_attempts: int = Field(default=5, gt=0)
    tick_seconds: float = Field(default=1.0, gt=0)
    run_scheduler: bool = True
    pool_size: int = 20
    sqlite_synchronous: Literal["FULL", "EXTRA", "NORMAL"] = Field(
        default="FULL",
        description="SQLite only: FULL (default) syncs every commit to disk before it returns, so an "
        "acknowledged step survives a power cut or an OS crash; NORMAL syncs at checkpoints only "
        "(faster, survives a killed process but may lose the last commits on a power cut)",
    )
    # Municipal choices behind the deadlines (engine/rules.py says which are law and which policy).
    receipt_reporter_types: str = Field(
        default="professional,private,child,parent",
        description="reporter types who get a receipt for their report (§ 137; municipal policy: "
        "default every reporter who is not anonymous), comma-separated",
    )
    receipt_working_days: int = Field(default=6, gt=0, description="§ 137 (subsection unconfirmed)")
    follow_up_default_months: int = Field(
        default=6, gt=0, description="months to the next follow-up when none is agreed (municipal policy)"
    )
    supervision_interval_months: int = Field(
        default=6,
        gt=0,
        description="most months between supervision visits (policy; § 156, stk. 5: two a year)",
    )
    investigation_warning_months: int = Field(default=3, gt=0, description="warning before the BFU deadline")
    reminder_days_before: int = Field(
        default=14, gt=0, description="reminder before the child plan's last day"
    )

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(g.strip() for g in self.candidate_groups.split(",") if g.strip())
