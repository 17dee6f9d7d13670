"""promises kept: unanswered questions carry context and their answer; a runtime knowledge base with a
revision counter; per-member notice watermarks for the batched question notices

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("unanswered_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_kfid", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("context", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("answered_by", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("delivery", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("answer_outbox_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("knowledge_entry_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_unanswered_question_answered_at"), ["answered_at"], unique=False)
    with op.batch_alter_table("unanswered_question", schema=None) as batch_op:
        for column in ("open_kfid", "answer", "answered_by", "delivery"):
            batch_op.alter_column(column, server_default=None)
    op.create_table(
        "knowledge_entry",
        sa.Column("id", BigId, nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("question_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_entry")),
    )
    op.create_index(op.f("ix_knowledge_entry_created_at"), "knowledge_entry", ["created_at"], unique=False)
    revision_table = op.create_table(
        "knowledge_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_revision")),
    )
    op.bulk_insert(revision_table, [{"id": 1, "revision": 0, "changed_at": None}])
    op.create_table(
        "question_notice",
        sa.Column("staff_userid", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_question_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("staff_userid", name=op.f("pk_question_notice")),
    )


def downgrade() -> None:
    op.drop_table("question_notice")
    op.drop_table("knowledge_revision")
    op.drop_index(op.f("ix_knowledge_entry_created_at"), table_name="knowledge_entry")
    op.drop_table("knowledge_entry")
    with op.batch_alter_table("unanswered_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unanswered_question_answered_at"))
        for column in ("knowledge_entry_id", "answer_outbox_id", "delivery", "answered_by", "answered_at", "answer",
                       "context", "open_kfid"):
            batch_op.drop_column(column)
