"""kept vectors remember when a build last used them: a build deletes only rows no build (of any
replica, any feature) used for a week, instead of every row its own knowledge base lacks, which
made replicas with different FAQ files delete each other's rows

Revision ID: 0024
Revises: 0023
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("knowledge_vector") as batch:
        batch.add_column(sa.Column("used_at", sa.DateTime(timezone=True), nullable=True))
    now = datetime.now(timezone.utc)  # every row counts as used now: the week starts at the upgrade
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # storage.models.UtcDateTime: naive UTC text on SQLite
    table = sa.table("knowledge_vector", sa.column("used_at", sa.DateTime(timezone=True)))
    op.execute(table.update().values(used_at=now))
    with op.batch_alter_table("knowledge_vector") as batch:
        batch.alter_column("used_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("knowledge_vector") as batch:
        batch.drop_column("used_at")
