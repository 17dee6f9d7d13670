"""the group robot's key out of the outbox: rows queued before kept it in their payload ("_key")

The key is a secret; delivery now reads it from the config at send time. No schema change.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

outbox = sa.table("outbox_item", sa.column("id", sa.BigInteger), sa.column("api", sa.String),
                  sa.column("payload", sa.JSON))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(outbox.c.id, outbox.c.payload).where(outbox.c.api == "webhook/send")).all()
    for row_id, payload in rows:
        if isinstance(payload, dict) and "_key" in payload:
            cleaned = {k: v for k, v in payload.items() if k != "_key"}
            conn.execute(outbox.update().where(outbox.c.id == row_id).values(payload=cleaned))


def downgrade() -> None:
    pass  # the key is not put back: delivery reads it from the config
