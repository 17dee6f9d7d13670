"""digest: indexes for the daily digest's per-day aggregates

Revision ID: 0007
Revises: 0005
"""
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_inbound_event_kind_received", "inbound_event", ["kind", "received_at"]),
    ("ix_message_digest", "message", ["created_at", "direction", "customer_id", "staff_userid", "kind",
                                      "template_key"]),
    ("ix_outbox_item_kind_sent", "outbox_item", ["kind", "sent_at"]),
    ("ix_outbox_item_status_created", "outbox_item", ["status", "created_at"]),
    ("ix_customer_tag_created_at", "customer_tag", ["created_at"]),
    ("ix_group_membership_joined_at", "group_membership", ["joined_at"]),
    ("ix_group_membership_left_at", "group_membership", ["left_at"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
