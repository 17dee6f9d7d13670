"""persona, tagging and pushes: tag mirror steps, rule hits, stage entries, suppressed pushes,
unanswered questions

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('tag_sync',
    sa.Column('id', BigId, nullable=False),
    sa.Column('op', sa.String(length=16), nullable=False),
    sa.Column('customer_id', BigId, nullable=True),
    sa.Column('tag_id', BigId, nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_tag_sync_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f('fk_tag_sync_tag_id_tag'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_sync'))
    )
    with op.batch_alter_table('tag_sync', schema=None) as batch_op:
        batch_op.create_index('ix_tag_sync_status_due', ['status', 'due_at'], unique=False)

    op.create_table('rule_hit',
    sa.Column('id', BigId, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_rule_hit_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_hit'))
    )
    with op.batch_alter_table('rule_hit', schema=None) as batch_op:
        batch_op.create_index('ix_rule_hit_customer_rule_at', ['customer_id', 'rule', 'created_at'], unique=False)

    op.create_table('stage_entry',
    sa.Column('id', BigId, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('push', sa.String(length=32), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_stage_entry_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_entry')),
    sa.UniqueConstraint('customer_id', 'stage', name=op.f('uq_stage_entry_customer_id'))
    )

    op.create_table('suppressed_push',
    sa.Column('id', BigId, nullable=False),
    sa.Column('customer_id', BigId, nullable=True),
    sa.Column('template_key', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_suppressed_push_customer_id_customer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppressed_push'))
    )
    with op.batch_alter_table('suppressed_push', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suppressed_push_created_at'), ['created_at'], unique=False)

    op.create_table('unanswered_question',
    sa.Column('id', BigId, nullable=False),
    sa.Column('customer_id', BigId, nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('best_faq', sa.String(length=64), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_unanswered_question_customer_id_customer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unanswered_question'))
    )
    with op.batch_alter_table('unanswered_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unanswered_question_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unanswered_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unanswered_question_created_at'))
    op.drop_table('unanswered_question')
    with op.batch_alter_table('suppressed_push', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suppressed_push_created_at'))
    op.drop_table('suppressed_push')
    op.drop_table('stage_entry')
    with op.batch_alter_table('rule_hit', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_hit_customer_rule_at')
    op.drop_table('rule_hit')
    with op.batch_alter_table('tag_sync', schema=None) as batch_op:
        batch_op.drop_index('ix_tag_sync_status_due')
    op.drop_table('tag_sync')
