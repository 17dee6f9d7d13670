"""customer notes: short staff notes on a customer, kept from the chat sidebar

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_note",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("staff_userid", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_customer_note_customer_id_customer"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_note")),
    )
    op.create_index("ix_customer_note_customer_created", "customer_note", ["customer_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_customer_note_customer_created", table_name="customer_note")
    op.drop_table("customer_note")
