"""customers' data rights: dedupe keys stored as SHA-256 hashes, inbound payloads can be cleared

Contact events' dedupe keys name the customer (`evt:change_external_contact:…:<external_userid>:…`).
From now on only their hash is stored (storage.queues.dedupe_hash), so erasing a customer leaves
no identifier in a key and a replayed callback still hashes to the stored value. Existing keys are
rewritten here. `cleared_at` records when retention or an erasure cleared a row's payload.

Revision ID: 0015
Revises: 0014
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 1000


def _hash_existing_keys() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("UPDATE inbound_event SET dedupe_key = encode(sha256(convert_to(dedupe_key, 'UTF8')), "
                             "'hex')"))
        return
    last = 0
    while True:
        rows = bind.execute(sa.text("SELECT id, dedupe_key FROM inbound_event WHERE id > :last ORDER BY id LIMIT :n"),
                            {"last": last, "n": BATCH}).all()
        if not rows:
            return
        bind.execute(sa.text("UPDATE inbound_event SET dedupe_key = :key WHERE id = :id"),
                     [{"id": row_id, "key": hashlib.sha256(key.encode("utf-8")).hexdigest()} for row_id, key in rows])
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("inbound_event") as batch_op:
        batch_op.add_column(sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_inbound_event_cleared_received", "inbound_event", ["cleared_at", "received_at"], unique=False)
    _hash_existing_keys()


def downgrade() -> None:
    # Hashes cannot be turned back into keys; the rows keep them (a replay of an old callback is new again).
    op.drop_index("ix_inbound_event_cleared_received", table_name="inbound_event")
    with op.batch_alter_table("inbound_event") as batch_op:
        batch_op.drop_column("cleared_at")
