"""call activities bind when reached: which definitions each deployment holds; old definitions
keep passing all variables to the processes they call

`deploymentdefinition` lists every definition version a deployment holds, new or reused
unchanged (camunda:calledElementBinding="deployment"); existing rows are the versions each
deployment created. `definition.calls_pass_all` marks the definitions deployed before call
activities applied camunda:in/out: their cases keep the copy-everything behaviour they
started with.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deploymentdefinition",
        sa.Column("deployment_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("definition_id", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(["definition_id"], ["definition.id"]),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployment.id"]),
        sa.PrimaryKeyConstraint("deployment_id", "definition_id"),
    )
    with op.batch_alter_table("definition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calls_pass_all", sa.Boolean(), server_default="0", nullable=False))
    op.execute(
        "INSERT INTO deploymentdefinition (deployment_id, definition_id) SELECT deployment_id, id FROM definition"
    )
    op.execute("UPDATE definition SET calls_pass_all = TRUE WHERE kind = 'process'")


def downgrade() -> None:
    with op.batch_alter_table("definition", schema=None) as batch_op:
        batch_op.drop_column("calls_pass_all")
    op.drop_table("deploymentdefinition")
