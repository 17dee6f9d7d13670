"""members: orders from shops, the rewards catalogue, redemptions, member facts (birthday, rights
sent), and the unionid hash orders are matched by

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unionid_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_customer_unionid_hash", ["unionid_hash"], unique=False)
    op.create_table(
        "shop_order",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", BigId, nullable=True),
        sa.Column("external_userid", sa.String(length=64), nullable=False),
        sa.Column("unionid_hash", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("paid_at", Stamp, nullable=False),
        sa.Column("refunded_at", Stamp, nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("birthday", sa.String(length=5), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("matched_at", Stamp, nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_shop_order_customer_id_customer"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_order")),
        sa.UniqueConstraint("order_id", name=op.f("uq_shop_order_order_id")),
    )
    op.create_index("ix_shop_order_customer_paid", "shop_order", ["customer_id", "paid_at"])
    op.create_index("ix_shop_order_digest", "shop_order", ["paid_at", "status", "customer_id", "amount_fen", "channel"])
    op.create_index("ix_shop_order_refunded_at", "shop_order", ["refunded_at"])
    op.create_index("ix_shop_order_unionid_hash", "shop_order", ["unionid_hash"])
    op.create_table(
        "reward",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("stock_configured", sa.Integer(), nullable=False),
        sa.Column("min_level", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward")),
        sa.UniqueConstraint("key", name=op.f("uq_reward_key")),
    )
    op.create_table(
        "redemption",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("reward_id", BigId, nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("open_kfid", sa.String(length=64), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.Column("ordered_at", Stamp, nullable=True),
        sa.Column("shipped_at", Stamp, nullable=True),
        sa.Column("shipped_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_redemption_customer_id_customer"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reward_id"], ["reward.id"], name=op.f("fk_redemption_reward_id_reward"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemption")),
    )
    op.create_index("ix_redemption_customer_id", "redemption", ["customer_id"])
    op.create_index("ix_redemption_status_created", "redemption", ["status", "created_at"])
    op.create_table(
        "member_facts",
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("birthday", sa.String(length=5), nullable=False),
        sa.Column("birthday_source", sa.String(length=16), nullable=False),
        sa.Column("birthday_asked_at", Stamp, nullable=True),
        sa.Column("birthday_year", sa.Integer(), nullable=False),
        sa.Column("gift_month", sa.String(length=7), nullable=False),
        sa.Column("expiry_month", sa.String(length=7), nullable=False),
        sa.Column("reviewed_year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_member_facts_customer_id_customer"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_member_facts")),
    )
    op.create_index("ix_points_entry_digest", "points_entry", ["created_at", "delta", "source"])


def downgrade() -> None:
    op.drop_index("ix_points_entry_digest", table_name="points_entry")
    op.drop_table("member_facts")
    op.drop_index("ix_redemption_status_created", table_name="redemption")
    op.drop_index("ix_redemption_customer_id", table_name="redemption")
    op.drop_table("redemption")
    op.drop_table("reward")
    op.drop_index("ix_shop_order_unionid_hash", table_name="shop_order")
    op.drop_index("ix_shop_order_refunded_at", table_name="shop_order")
    op.drop_index("ix_shop_order_digest", table_name="shop_order")
    op.drop_index("ix_shop_order_customer_paid", table_name="shop_order")
    op.drop_table("shop_order")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_unionid_hash")
        batch_op.drop_column("unionid_hash")
