"""faq offers: 猜你想问 — the knowledge-base entries offered to a customer whose question the persona
was not sure of, until the customer picks one, says none fits or moves on (and for the digest)

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "faq_offer",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("open_kfid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_faq_offer_customer_id_customer"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_offer")),
    )
    op.create_index("ix_faq_offer_customer_offered", "faq_offer", ["customer_id", "offered_at"])
    op.create_index("ix_faq_offer_offered_at", "faq_offer", ["offered_at"])


def downgrade() -> None:
    op.drop_index("ix_faq_offer_offered_at", table_name="faq_offer")
    op.drop_index("ix_faq_offer_customer_offered", table_name="faq_offer")
    op.drop_table("faq_offer")
