"""start_timer: timer start events of deployed process definitions (Camunda's definition-level jobs)

A deployed process with a timer start event starts instances on schedule. Each such start event
of the newest version of a key has a row with its next due instant; deploying a new version
cancels the previous version's rows.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 21:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.store.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "start_timer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("definition_id", sa.String(length=300), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("expression", sa.String(length=500), nullable=False),
        sa.Column("anchor", UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("fired", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("fired_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["definition_id"], ["definition.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_start_timer_definition_id", "start_timer", ["definition_id"])
    op.create_index("ix_start_timer_status_due", "start_timer", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_start_timer_status_due", table_name="start_timer")
    op.drop_index("ix_start_timer_definition_id", table_name="start_timer")
    op.drop_table("start_timer")
