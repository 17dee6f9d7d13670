"""inbound events that carry a 20-second code are claimed first: inbound_event.deadline

Callbacks with a welcome_code, kf notices and kf enter_session entries with a welcome_code get a
deadline when they are stored; the inbox claims rows with a deadline before all others, earliest
first (storage/queues.py), so a backlog of other events never delays a welcome.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_event") as batch:
        batch.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_inbound_event_status_deadline", "inbound_event", ["status", "deadline"])


def downgrade() -> None:
    op.drop_index("ix_inbound_event_status_deadline", table_name="inbound_event")
    with op.batch_alter_table("inbound_event") as batch:
        batch.drop_column("deadline")
