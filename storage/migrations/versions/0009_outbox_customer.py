"""outbox by customer: the push gate counts one customer's planned pushes and kf sends

Without it every count scans the whole outbox, so planning a broadcast grows with the outbox's size.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_item_customer_kind_due", "outbox_item", ["customer_id", "kind", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_item_customer_kind_due", table_name="outbox_item")
