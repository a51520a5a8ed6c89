"""task, timer, instance: due_date (the last day) and due_kind (elapsed or calendar); timer: activity_task_id

A calendar deadline (months, working days, an agreed date) is a last day, met any time that day
and breached when it has ended; an elapsed one (24 hours) is an instant. Both are now stored:
`due_at` (the instant it passes) and `due_date` (the last day). Rows written before this
revision have no `due_date`; `engine/corrections.py` fills it and moves the pending calendar
deadlines from 00:00 of their last day to its end (run at start-up and by
`sagsflow correct-deadlines`), writing each correction into the case's history.

`activity_task_id` is the task a boundary timer is attached to: a deadline ends as met only when
that activity was completed in time, and as cancelled when it ended otherwise.

`instance.caseworker_changes` is counted again from the history: the first caseworker on a case is
not a change of caseworker (a `caseworker_changed` entry without a previous caseworker).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import json
from collections import Counter

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("next_due_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("activity_task_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
    _recount_caseworker_changes()


def _recount_caseworker_changes() -> None:
    bind = op.get_bind()
    event = sa.table("event", sa.column("instance_id"), sa.column("kind"), sa.column("data"))
    instance = sa.table("instance", sa.column("id"), sa.column("caseworker_changes"))
    changes: Counter[str] = Counter()
    assigned: set[str] = set()
    for case_id, data in bind.execute(
        sa.select(event.c.instance_id, event.c.data).where(event.c.kind == "caseworker_changed")
    ):
        assigned.add(case_id)
        if json.loads(data or "{}").get("from") is not None:
            changes[case_id] += 1
    for case_id in assigned:
        bind.execute(
            sa.update(instance).where(instance.c.id == case_id).values(caseworker_changes=changes[case_id])
        )


def downgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.drop_column("activity_task_id")
        batch_op.drop_column("due_kind")
        batch_op.drop_column("due_date")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("due_kind")
        batch_op.drop_column("due_date")
    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.drop_column("next_due_kind")
        batch_op.drop_column("next_due_date")
