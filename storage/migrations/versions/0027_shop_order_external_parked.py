"""shop_order: an index by external_userid (then customer_id), so a new customer's parked orders
(customer_id IS NULL) are sought by their id, not scanned among every parked order

Revision ID: 0027
Revises: 0026
"""
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_shop_order_external_parked", "shop_order", ["external_userid", "customer_id"])


def downgrade() -> None:
    op.drop_index("ix_shop_order_external_parked", table_name="shop_order")
