"""process instances as Camunda counts them: every case and every process a call activity
started in it; tasks name the process instance and definition they run in

Existing cases become root rows (a call entered before this release stays part of its case's
root process instance); existing tasks belong to their case's root.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import engine.store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "processinstance",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("root_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("super_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("super_task_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("super_element_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("definition_id", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("process_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("business_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("municipality", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("started_at", engine.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", engine.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["definition_id"], ["definition.id"]),
        sa.ForeignKeyConstraint(["root_id"], ["instance.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("processinstance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processinstance_root_id"), ["root_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_processinstance_super_id"), ["super_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_processinstance_business_key"), ["business_key"], unique=False)
        batch_op.create_index(
            "ix_processinstance_municipality_state", ["municipality", "state", "started_at"], unique=False
        )
        batch_op.create_index(
            "ix_processinstance_municipality_key", ["municipality", "process_key", "state"], unique=False
        )
    op.execute(
        "INSERT INTO processinstance (id, root_id, definition_id, process_key, business_key, municipality, "
        "state, started_at, ended_at) SELECT id, id, definition_id, process_key, business_key, municipality, "
        "CASE WHEN status = 'active' THEN 'active' ELSE 'completed' END, started_at, ended_at FROM instance"
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_instance_id", _text(36), nullable=True))
        batch_op.add_column(sa.Column("definition_id", _text(300), nullable=True))
        batch_op.add_column(sa.Column("process_key", _text(200), nullable=True))
    op.execute(
        "UPDATE task SET process_instance_id = instance_id, "
        "definition_id = (SELECT definition_id FROM instance WHERE instance.id = task.instance_id), "
        "process_key = (SELECT process_key FROM instance WHERE instance.id = task.instance_id)"
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.alter_column("process_instance_id", existing_type=_text(36), nullable=False)
        batch_op.alter_column("definition_id", existing_type=_text(300), nullable=False)
        batch_op.alter_column("process_key", existing_type=_text(200), nullable=False)
        batch_op.create_index(batch_op.f("ix_task_process_instance_id"), ["process_instance_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_process_instance_id"))
        batch_op.drop_column("process_key")
        batch_op.drop_column("definition_id")
        batch_op.drop_column("process_instance_id")
    with op.batch_alter_table("processinstance", schema=None) as batch_op:
        batch_op.drop_index("ix_processinstance_municipality_key")
        batch_op.drop_index("ix_processinstance_municipality_state")
        batch_op.drop_index(batch_op.f("ix_processinstance_business_key"))
        batch_op.drop_index(batch_op.f("ix_processinstance_super_id"))
        batch_op.drop_index(batch_op.f("ix_processinstance_root_id"))
    op.drop_table("processinstance")
