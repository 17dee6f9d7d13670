"""lease holders: who holds each lease, and whether that process still lives

worker_instance records each start of a Wanzi process with a heartbeat; inbound_event,
outbox_item and kf_cursor name the instance holding their lease (lease_owner), so a restarted
process, or any replica once the heartbeat stops, takes a dead process's rows without waiting
for their leases to run out. The (status, deadline) index serves the earliest-deadline-first claim.

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LEASED = ("inbound_event", "outbox_item", "kf_cursor")


def upgrade() -> None:
    op.create_table(
        "worker_instance",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_instance")),
    )
    op.create_index(op.f("ix_worker_instance_name"), "worker_instance", ["name"], unique=False)
    for table in LEASED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("lease_owner", sa.String(length=32), nullable=True))
    op.create_index("ix_outbox_item_status_deadline", "outbox_item", ["status", "deadline"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_item_status_deadline", table_name="outbox_item")
    for table in LEASED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("lease_owner")
    op.drop_index(op.f("ix_worker_instance_name"), table_name="worker_instance")
    op.drop_table("worker_instance")
