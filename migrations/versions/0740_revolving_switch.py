"""revolving switches of posted charges (OS-6)

Revision ID: 0740
Revises: 0730
Create Date: 2026-12-06 14:45:00.000000
"""
from alembic import op
import sqlalchemy as sa
import portal.db


revision = '0740'
down_revision = '0730'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('revolving_switch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cardmember_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('monthly_yen', sa.Integer(), nullable=False),
    sa.Column('fee_basis_points', sa.Integer(), nullable=False),
    sa.Column('cutoff_on', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('undone_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['program_card.id'], name=op.f('fk_revolving_switch_card_id_program_card')),
    sa.ForeignKeyConstraint(['cardmember_id'], ['cardmember.id'], name=op.f('fk_revolving_switch_cardmember_id_cardmember')),
    sa.ForeignKeyConstraint(['transaction_id'], ['card_transaction.id'], name=op.f('fk_revolving_switch_transaction_id_card_transaction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revolving_switch')),
    sa.UniqueConstraint('key', name=op.f('uq_revolving_switch_key'))
    )
    with op.batch_alter_table('revolving_switch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revolving_switch_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_revolving_switch_cardmember_id'), ['cardmember_id'], unique=False)
        batch_op.create_index('uq_revolving_switch_in_force', ['transaction_id'], unique=True, postgresql_where=sa.text('undone_at IS NULL'), sqlite_where=sa.text('undone_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('revolving_switch', schema=None) as batch_op:
        batch_op.drop_index('uq_revolving_switch_in_force', postgresql_where=sa.text('undone_at IS NULL'), sqlite_where=sa.text('undone_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_revolving_switch_cardmember_id'))
        batch_op.drop_index(batch_op.f('ix_revolving_switch_card_id'))

    op.drop_table('revolving_switch')
