"""knowledge vectors: the sentence vectors of knowledge-base texts, kept across starts and replicas

A start, a `wanzi faq reload` or an entry added at run time rebuilds the knowledge index; with the
vectors of texts embedded before in knowledge_vector, it embeds only texts never embedded by
this model. Rows hold a hash of a knowledge-base text and its vector, no customer data.

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_vector",
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("model", "kind", "text_hash", name=op.f("pk_knowledge_vector")),
    )


def downgrade() -> None:
    op.drop_table("knowledge_vector")
