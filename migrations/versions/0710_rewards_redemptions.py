"""rewards: redemptions (see portal.rewards.program); search: the letters of each language

Revision ID: 0710
Revises: 0700
Create Date: 2026-12-05 10:23:58.603854
"""
from alembic import op
import sqlalchemy as sa
import portal.db


revision = '0710'
down_revision = '0700'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('redemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('yen', sa.Integer(), nullable=True),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['program_account.id'], name=op.f('fk_redemption_account_id_program_account')),
    sa.ForeignKeyConstraint(['card_id'], ['program_card.id'], name=op.f('fk_redemption_card_id_program_card')),
    sa.ForeignKeyConstraint(['user_id'], ['portal_user.id'], name=op.f('fk_redemption_user_id_portal_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redemption')),
    sa.UniqueConstraint('key', name=op.f('uq_redemption_key')),
    sa.UniqueConstraint('reference', name=op.f('uq_redemption_reference'))
    )
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redemption_account_id'), ['account_id'], unique=False)



    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letters', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.drop_column('letters')
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redemption_account_id'))

    op.drop_table('redemption')
