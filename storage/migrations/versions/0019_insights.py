"""insights: the suggestions customers give (handlers/insights), listed by /suggestions and the console

Revision ID: 0019
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "suggestion",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("msgid", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_suggestion_customer_id_customer"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
    )
    op.create_index("ix_suggestion_customer_created", "suggestion", ["customer_id", "created_at"])
    op.create_index("ix_suggestion_created_at", "suggestion", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_suggestion_created_at", table_name="suggestion")
    op.drop_index("ix_suggestion_customer_created", table_name="suggestion")
    op.drop_table("suggestion")
