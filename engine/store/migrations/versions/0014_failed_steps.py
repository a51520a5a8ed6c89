"""instance: failed_steps, the open incidents of steps that failed for an internal reason

A command that fails for an internal reason rolls back and opens an incident (`failedStep`) on
its case in a transaction of its own; a later step of the case that succeeds resolves them. The
count on the case row lets a step of a case without any skip reading the incident table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_steps", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("instance", schema=None) as batch_op:
        batch_op.drop_column("failed_steps")
