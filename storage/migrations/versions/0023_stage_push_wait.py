"""stage pushes wait for a quiet chat: a stage entered mid-conversation keeps its push "waiting"
until `push_due_at` and a quiet chat, with the kf account to send it through

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stage_entry") as batch:
        batch.add_column(sa.Column("push_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("open_kfid", sa.String(length=64), nullable=False, server_default=""))
    op.create_index("ix_stage_entry_push_due_at", "stage_entry", ["push_due_at"])


def downgrade() -> None:
    op.drop_index("ix_stage_entry_push_due_at", table_name="stage_entry")
    with op.batch_alter_table("stage_entry") as batch:
        batch.drop_column("open_kfid")
        batch.drop_column("push_due_at")
