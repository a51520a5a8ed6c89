"""business rule tasks store their result only in camunda:resultVariable; old definitions keep
merging it into the case

Until this revision a business rule task merged the outputs of its decision into the case's
variables (SpiffWorkflow's behaviour); Camunda stores a result only in `camunda:resultVariable`.
`definition.decision_results_merged` marks the process definitions deployed before: their
business rule tasks without a result variable keep merging, as when their cases started.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("definition", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decision_results_merged", sa.Boolean(), server_default="0", nullable=False)
        )
    op.execute("UPDATE definition SET decision_results_merged = TRUE WHERE kind = 'process'")


def downgrade() -> None:
    with op.batch_alter_table("definition", schema=None) as batch_op:
        batch_op.drop_column("decision_results_merged")
