"""a redeemed reward that ships asks where to send it: rewards say whether they ship (default yes, as
every reward was shipped before), redemptions keep the receiver, phone and address the customer
confirmed, and the one reminder sent to a customer who did not answer

Revision ID: 0028
Revises: 0027
"""
import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reward") as batch:
        batch.add_column(sa.Column("ships", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("redemption") as batch:
        batch.add_column(sa.Column("address_status", sa.String(12), nullable=False, server_default=""))
        batch.add_column(sa.Column("ship_name", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("ship_phone", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("ship_address", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("address_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("address_reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("address_reminder", sa.String(16), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("redemption") as batch:
        for column in ("address_reminder", "address_reminded_at", "address_confirmed_at", "ship_address",
                       "ship_phone", "ship_name", "address_status"):
            batch.drop_column(column)
    with op.batch_alter_table("reward") as batch:
        batch.drop_column("ships")
