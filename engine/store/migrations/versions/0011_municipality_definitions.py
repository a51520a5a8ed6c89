"""definitions per municipality: a deployment and its definitions belong to one municipality or
are shared by all; versions count per (kind, key, municipality)

Every deployment and definition stored before this revision was shared by all municipalities,
and stays shared (`municipality` = '').

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _municipality() -> sa.Column[str]:
    return sa.Column(
        "municipality", sqlmodel.sql.sqltypes.AutoString(length=100), server_default="", nullable=False
    )


def upgrade() -> None:
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.add_column(_municipality())
    with op.batch_alter_table("definition", schema=None) as batch_op:
        batch_op.add_column(_municipality())
        batch_op.drop_constraint("uq_definition_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_definition_version", ["kind", "key", "municipality", "version"]
        )


def downgrade() -> None:
    with op.batch_alter_table("definition", schema=None) as batch_op:
        batch_op.drop_constraint("uq_definition_version", type_="unique")
        batch_op.create_unique_constraint("uq_definition_version", ["kind", "key", "version"])
        batch_op.drop_column("municipality")
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.drop_column("municipality")
