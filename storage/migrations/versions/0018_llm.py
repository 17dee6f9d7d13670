"""llm_reply: messages handed to the optional LLM backend, their outcome, tokens and latency

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "llm_reply",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("customer_id", BigId, nullable=True),
        sa.Column("open_kfid", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fallback", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_llm_reply_customer_id_customer"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_reply")),
    )
    op.create_index("ix_llm_reply_status_deadline", "llm_reply", ["status", "deadline"])
    op.create_index(op.f("ix_llm_reply_created_at"), "llm_reply", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_llm_reply_created_at"), table_name="llm_reply")
    op.drop_index("ix_llm_reply_status_deadline", table_name="llm_reply")
    op.drop_table("llm_reply")
