"""orders know when their parcel left: a shop reports the order again with shipped_at (and the
carrier and tracking number when it has them), so "我的快递到哪了" is answered with the parcel, and an
order that left is never called overdue

Revision ID: 0025
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shop_order") as batch:
        batch.add_column(sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("carrier", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("tracking_no", sa.String(40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("shop_order") as batch:
        batch.drop_column("tracking_no")
        batch.drop_column("carrier")
        batch.drop_column("shipped_at")
