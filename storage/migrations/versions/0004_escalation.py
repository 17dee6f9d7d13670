"""escalation: tickets for human advisors, pending staff confirmations, customer member level

Revision ID: 0004
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0006"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        # existing rows get "" (no level); the model fills it for new rows
        batch_op.add_column(sa.Column("level", sa.String(length=32), nullable=False, server_default=""))

    op.create_table(
        "ticket",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("customer_id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("open_kfid", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("advisor_userid", sa.String(length=64), nullable=False),
        sa.Column("kf_servicer", sa.String(length=64), nullable=False),
        sa.Column("kf_outbox_id", sa.BigInteger(), nullable=True),
        sa.Column("sla_stage", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_ticket_customer_id_customer"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_ticket_customer_status", ["customer_id", "status"], unique=False)

    op.create_table(
        "staff_pending",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("staff_userid", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_pending")),
    )
    with op.batch_alter_table("staff_pending", schema=None) as batch_op:
        batch_op.create_index("ix_staff_pending_userid_status", ["staff_userid", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_pending", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_pending_userid_status")
    op.drop_table("staff_pending")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_customer_status")
        batch_op.drop_index("ix_ticket_status_due")
    op.drop_table("ticket")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("level")
