"""timer: one index on (instance_id, status) in place of the one on instance_id

A step reads its case's pending timers by both columns. With only an instance_id index, a
planner without statistics (SQLite before its first ANALYZE, PostgreSQL right after a bulk
load) took the (status, due_at) index instead and scanned every pending timer: 20 ms a step
with 100,000 timers waiting.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.create_index("ix_timer_instance_status", ["instance_id", "status"], unique=False)
        batch_op.drop_index("ix_timer_instance_id")


def downgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.create_index("ix_timer_instance_id", ["instance_id"], unique=False)
        batch_op.drop_index("ix_timer_instance_status")
