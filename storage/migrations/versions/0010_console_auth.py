"""console sign-in: server-side sessions, OAuth states, login failures; staff active and password hash

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=256), nullable=False, server_default=""))
    op.create_table(
        "console_session",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_userid", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=128), nullable=False),
        sa.Column("flash", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_session_token_hash")),
    )
    op.create_index("ix_console_session_staff", "console_session", ["staff_userid"])
    op.create_table(
        "login_state",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("next_path", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_state")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_login_state_state_hash")),
    )
    op.create_index(op.f("ix_login_state_created_at"), "login_state", ["created_at"])
    op.create_table(
        "login_failure",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index("ix_login_failure_account", "login_failure", ["account", "created_at"])
    op.create_index("ix_login_failure_address", "login_failure", ["address", "created_at"])


def downgrade() -> None:
    op.drop_table("login_failure")
    op.drop_table("login_state")
    op.drop_table("console_session")
    with op.batch_alter_table("staff") as batch_op:
        batch_op.drop_column("password_hash")
        batch_op.drop_column("active")
