"""digest sources: day-window indexes on the tables of issues 3-5 the digest now reads

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_stage_entry_entered_at", "stage_entry", ["entered_at"]),
    ("ix_ticket_created_at", "ticket", ["created_at"]),
    ("ix_ticket_resolved_at", "ticket", ["resolved_at"]),
    ("ix_ticket_due_at", "ticket", ["due_at"]),
    ("ix_points_entry_created_at", "points_entry", ["created_at"]),
    ("ix_referral_invite_added_at", "referral_invite", ["added_at"]),
    ("ix_topic_post_created_at", "topic_post", ["created_at"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
