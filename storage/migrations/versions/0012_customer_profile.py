"""customer profile reads: when Wanzi should read a customer's name and remark from WeCom

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("profile_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_customer_profile_due_at", ["profile_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_profile_due_at")
        batch_op.drop_column("profile_due_at")
