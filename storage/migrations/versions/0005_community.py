"""community operations: interest groups and topics, check-in campaigns, points ledger, referrals

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('interest_group',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('chat_name_contains', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_group')),
    sa.UniqueConstraint('key', name=op.f('uq_interest_group_key'))
    )
    op.create_table('referral_campaign',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('staff_userid', sa.String(length=64), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_campaign')),
    sa.UniqueConstraint('key', name=op.f('uq_referral_campaign_key'))
    )
    op.create_table('checkin_campaign',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('interest_group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('daily_window', sa.String(length=11), nullable=False),
    sa.Column('remind_at', sa.String(length=5), nullable=False),
    sa.Column('makeup_limit', sa.Integer(), nullable=False),
    sa.Column('points_per_checkin', sa.Integer(), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['interest_group_id'], ['interest_group.id'], name=op.f('fk_checkin_campaign_interest_group_id_interest_group'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_campaign')),
    sa.UniqueConstraint('key', name=op.f('uq_checkin_campaign_key'))
    )
    op.create_table('community_reward',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_community_reward_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_reward')),
    sa.UniqueConstraint('key', name=op.f('uq_community_reward_key'))
    )
    op.create_index(op.f('ix_community_reward_customer_id'), 'community_reward', ['customer_id'], unique=False)
    op.create_table('interest_chat',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('interest_group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('linked_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interest_group_id'], ['interest_group.id'], name=op.f('fk_interest_chat_interest_group_id_interest_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_chat')),
    sa.UniqueConstraint('chat_id', name=op.f('uq_interest_chat_chat_id'))
    )
    op.create_index(op.f('ix_interest_chat_interest_group_id'), 'interest_chat', ['interest_group_id'], unique=False)
    op.create_table('points_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=128), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('ref', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_points_entry_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entry')),
    sa.UniqueConstraint('ref', name=op.f('uq_points_entry_ref'))
    )
    op.create_index(op.f('ix_points_entry_customer_id'), 'points_entry', ['customer_id'], unique=False)
    op.create_table('topic',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('interest_group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link_url', sa.String(length=512), nullable=False),
    sa.Column('link_title', sa.String(length=128), nullable=False),
    sa.Column('image_url', sa.String(length=512), nullable=False),
    sa.Column('is_product', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('post_count', sa.Integer(), nullable=False),
    sa.Column('last_posted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interest_group_id'], ['interest_group.id'], name=op.f('fk_topic_interest_group_id_interest_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic'))
    )
    op.create_index(op.f('ix_topic_interest_group_id'), 'topic', ['interest_group_id'], unique=False)
    op.create_table('topic_schedule',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('interest_group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cron', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interest_group_id'], ['interest_group.id'], name=op.f('fk_topic_schedule_interest_group_id_interest_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_schedule')),
    sa.UniqueConstraint('interest_group_id', 'cron', name=op.f('uq_topic_schedule_interest_group_id'))
    )
    op.create_table('checkin',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('day_index', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('has_photo', sa.Boolean(), nullable=False),
    sa.Column('msgid', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['checkin_campaign.id'], name=op.f('fk_checkin_campaign_id_checkin_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_checkin_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin')),
    sa.UniqueConstraint('campaign_id', 'customer_id', 'day', name=op.f('uq_checkin_campaign_id'))
    )
    op.create_index(op.f('ix_checkin_customer_id'), 'checkin', ['customer_id'], unique=False)
    op.create_table('checkin_participant',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('open_kfid', sa.String(length=64), nullable=False),
    sa.Column('makeups_used', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['checkin_campaign.id'], name=op.f('fk_checkin_participant_campaign_id_checkin_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_checkin_participant_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_participant')),
    sa.UniqueConstraint('campaign_id', 'customer_id', name=op.f('uq_checkin_participant_campaign_id'))
    )
    op.create_index(op.f('ix_checkin_participant_customer_id'), 'checkin_participant', ['customer_id'], unique=False)
    op.create_table('checkin_reminder',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['checkin_campaign.id'], name=op.f('fk_checkin_reminder_campaign_id_checkin_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_checkin_reminder_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox_item.id'], name=op.f('fk_checkin_reminder_outbox_id_outbox_item'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_reminder')),
    sa.UniqueConstraint('campaign_id', 'customer_id', 'day', name=op.f('uq_checkin_reminder_campaign_id'))
    )
    op.create_index(op.f('ix_checkin_reminder_customer_id'), 'checkin_reminder', ['customer_id'], unique=False)
    op.create_table('referral_participant',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=True),
    sa.Column('open_kfid', sa.String(length=64), nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('config_id', sa.String(length=64), nullable=True),
    sa.Column('qr_code', sa.String(length=512), nullable=False),
    sa.Column('way_status', sa.String(length=12), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['referral_campaign.id'], name=op.f('fk_referral_participant_campaign_id_referral_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_referral_participant_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox_item.id'], name=op.f('fk_referral_participant_outbox_id_outbox_item'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_participant')),
    sa.UniqueConstraint('campaign_id', 'customer_id', name=op.f('uq_referral_participant_campaign_id')),
    sa.UniqueConstraint('state', name=op.f('uq_referral_participant_state'))
    )
    op.create_index(op.f('ix_referral_participant_customer_id'), 'referral_participant', ['customer_id'], unique=False)
    op.create_index(op.f('ix_referral_participant_outbox_id'), 'referral_participant', ['outbox_id'], unique=False)
    op.create_table('topic_post',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('schedule_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('interest_group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('topic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('is_product', sa.Boolean(), nullable=False),
    sa.Column('fire_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('chat_ids', sa.JSON(), nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('msgid', sa.String(length=64), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interest_group_id'], ['interest_group.id'], name=op.f('fk_topic_post_interest_group_id_interest_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox_item.id'], name=op.f('fk_topic_post_outbox_id_outbox_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['schedule_id'], ['topic_schedule.id'], name=op.f('fk_topic_post_schedule_id_topic_schedule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_topic_post_topic_id_topic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_post')),
    sa.UniqueConstraint('schedule_id', 'fire_time', 'sender', name=op.f('uq_topic_post_schedule_id'))
    )
    op.create_index('ix_topic_post_group_fire', 'topic_post', ['interest_group_id', 'fire_time'], unique=False)
    op.create_index(op.f('ix_topic_post_msgid'), 'topic_post', ['msgid'], unique=False)
    op.create_index(op.f('ix_topic_post_outbox_id'), 'topic_post', ['outbox_id'], unique=False)
    op.create_table('referral_invite',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('participant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('invitee_customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('staff_userid', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['referral_campaign.id'], name=op.f('fk_referral_invite_campaign_id_referral_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitee_customer_id'], ['customer.id'], name=op.f('fk_referral_invite_invitee_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['referral_participant.id'], name=op.f('fk_referral_invite_participant_id_referral_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_invite')),
    sa.UniqueConstraint('campaign_id', 'invitee_customer_id', name=op.f('uq_referral_invite_campaign_id'))
    )
    op.create_index(op.f('ix_referral_invite_participant_id'), 'referral_invite', ['participant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_referral_invite_participant_id'), table_name='referral_invite')
    op.drop_table('referral_invite')
    op.drop_index(op.f('ix_topic_post_outbox_id'), table_name='topic_post')
    op.drop_index(op.f('ix_topic_post_msgid'), table_name='topic_post')
    op.drop_index('ix_topic_post_group_fire', table_name='topic_post')
    op.drop_table('topic_post')
    op.drop_index(op.f('ix_referral_participant_outbox_id'), table_name='referral_participant')
    op.drop_index(op.f('ix_referral_participant_customer_id'), table_name='referral_participant')
    op.drop_table('referral_participant')
    op.drop_index(op.f('ix_checkin_reminder_customer_id'), table_name='checkin_reminder')
    op.drop_table('checkin_reminder')
    op.drop_index(op.f('ix_checkin_participant_customer_id'), table_name='checkin_participant')
    op.drop_table('checkin_participant')
    op.drop_index(op.f('ix_checkin_customer_id'), table_name='checkin')
    op.drop_table('checkin')
    op.drop_table('topic_schedule')
    op.drop_index(op.f('ix_topic_interest_group_id'), table_name='topic')
    op.drop_table('topic')
    op.drop_index(op.f('ix_points_entry_customer_id'), table_name='points_entry')
    op.drop_table('points_entry')
    op.drop_index(op.f('ix_interest_chat_interest_group_id'), table_name='interest_chat')
    op.drop_table('interest_chat')
    op.drop_index(op.f('ix_community_reward_customer_id'), table_name='community_reward')
    op.drop_table('community_reward')
    op.drop_table('checkin_campaign')
    op.drop_table('referral_campaign')
    op.drop_table('interest_group')
