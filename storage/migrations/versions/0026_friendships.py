"""friendships: each member's friendship with a customer, so a customer who deletes one member but is
still the friend of another is not counted lost (nor erased after `lost_friend_days`); each known
customer's adding member (owner_userid) is carried over, ended when the customer was lost

Revision ID: 0026
Revises: 0025
"""
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "friendship",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_friendship_customer_id_customer"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_friendship")),
        sa.UniqueConstraint("customer_id", "userid", name=op.f("uq_friendship_customer_id")),
    )
    op.execute("INSERT INTO friendship (customer_id, userid, added_at, ended_at) "
               "SELECT id, owner_userid, first_seen_at, CASE WHEN status = 'lost' THEN lost_at END "
               "FROM customer WHERE owner_userid <> ''")


def downgrade() -> None:
    op.drop_table("friendship")
