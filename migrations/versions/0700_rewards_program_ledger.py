"""rewards: company, program account, delegates, cards, card transactions, points ledger

See portal.rewards.program for what each table holds.

Revision ID: 0700
Revises: 0610
Create Date: 2026-12-05 09:42:19.595435
"""
from alembic import op
import sqlalchemy as sa
import portal.db


revision = '0700'
down_revision = '0610'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('company',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company'))
    )
    op.create_table('program_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('good_standing', sa.Boolean(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('closed_out_on', sa.Date(), nullable=True),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('carried', sa.Integer(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('pa_user_id', sa.Integer(), nullable=True),
    sa.Column('pa_card_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_program_account_balance_not_negative')),
    sa.CheckConstraint('carried >= 0', name=op.f('ck_program_account_carried_not_negative')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_program_account_company_id_company')),
    sa.ForeignKeyConstraint(['pa_user_id'], ['portal_user.id'], name=op.f('fk_program_account_pa_user_id_portal_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_account')),
    sa.UniqueConstraint('company_id', name=op.f('uq_program_account_company_id')),
    sa.UniqueConstraint('pa_user_id', name=op.f('uq_program_account_pa_user_id'))
    )
    op.create_table('program_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('number_hash', sa.String(length=64), nullable=False),
    sa.Column('last5', sa.String(length=5), nullable=False),
    sa.Column('product', sa.String(length=40), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('personal_rewards_until', sa.Date(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['program_account.id'], name=op.f('fk_program_card_account_id_program_account')),
    sa.ForeignKeyConstraint(['user_id'], ['portal_user.id'], name=op.f('fk_program_card_user_id_portal_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_card')),
    sa.UniqueConstraint('number_hash', name=op.f('uq_program_card_number_hash'))
    )
    with op.batch_alter_table('program_card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_card_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_card_user_id'), ['user_id'], unique=False)

    op.create_table('program_delegate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['program_account.id'], name=op.f('fk_program_delegate_account_id_program_account')),
    sa.ForeignKeyConstraint(['user_id'], ['portal_user.id'], name=op.f('fk_program_delegate_user_id_portal_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_delegate')),
    sa.UniqueConstraint('account_id', 'user_id', name=op.f('uq_program_delegate_account_id'))
    )
    with op.batch_alter_table('program_delegate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_delegate_user_id'), ['user_id'], unique=False)

    op.create_table('card_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('posted_on', sa.Date(), nullable=False),
    sa.Column('merchant', sa.String(length=200), nullable=False),
    sa.Column('mcc', sa.String(length=4), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('points_rule', sa.String(length=30), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['program_card.id'], name=op.f('fk_card_transaction_card_id_program_card')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_transaction')),
    sa.UniqueConstraint('reference', name=op.f('uq_card_transaction_reference'))
    )
    with op.batch_alter_table('card_transaction', schema=None) as batch_op:
        batch_op.create_index('ix_card_transaction_card_posted', ['card_id', 'posted_on'], unique=False)

    op.create_table('points_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('transaction_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['program_account.id'], name=op.f('fk_points_entry_account_id_program_account')),
    sa.ForeignKeyConstraint(['card_id'], ['program_card.id'], name=op.f('fk_points_entry_card_id_program_card')),
    sa.ForeignKeyConstraint(['transaction_id'], ['card_transaction.id'], name=op.f('fk_points_entry_transaction_id_card_transaction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entry'))
    )
    with op.batch_alter_table('points_entry', schema=None) as batch_op:
        batch_op.create_index('ix_points_entry_account_booked', ['account_id', 'booked_on', 'id'], unique=False)



    with op.batch_alter_table('staff_action', schema=None) as batch_op:
        batch_op.alter_column('staff_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('staff_action', schema=None) as batch_op:
        batch_op.alter_column('staff_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('points_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_points_entry_account_booked')

    op.drop_table('points_entry')
    with op.batch_alter_table('card_transaction', schema=None) as batch_op:
        batch_op.drop_index('ix_card_transaction_card_posted')

    op.drop_table('card_transaction')
    with op.batch_alter_table('program_delegate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_delegate_user_id'))

    op.drop_table('program_delegate')
    with op.batch_alter_table('program_card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_card_user_id'))
        batch_op.drop_index(batch_op.f('ix_program_card_account_id'))

    op.drop_table('program_card')
    op.drop_table('program_account')
    op.drop_table('company')
