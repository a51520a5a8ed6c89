"""timers and incidents inside a process a call activity started name that process instance and
its definition (null: the case's own), so /job and /incident answer per process instance

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = (("process_instance_id", 36), ("definition_id", 300), ("process_key", 200))


def upgrade() -> None:
    for table in ("timer", "incident"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in COLUMNS:
                batch_op.add_column(
                    sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True)
                )


def downgrade() -> None:
    for table in ("incident", "timer"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in reversed(COLUMNS):
                batch_op.drop_column(name)
