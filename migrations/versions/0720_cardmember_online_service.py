"""cardmember online service: cardmembers, card limits and security codes, pending charges

Revision ID: 0720
Revises: 0710
Create Date: 2026-12-05 11:33:34.056575
"""
from alembic import op
import sqlalchemy as sa
import portal.db


revision = '0720'
down_revision = '0710'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cardmember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('postal_code', sa.String(length=8), nullable=False),
    sa.Column('prefecture', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('street', sa.String(length=100), nullable=False),
    sa.Column('building', sa.String(length=100), nullable=False),
    sa.Column('employer', sa.String(length=100), nullable=False),
    sa.Column('pin_hash', sa.String(length=255), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['portal_user.id'], name=op.f('fk_cardmember_user_id_portal_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cardmember')),
    sa.UniqueConstraint('user_id', name=op.f('uq_cardmember_user_id'))
    )
    op.create_table('pending_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=False),
    sa.Column('merchant', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['program_card.id'], name=op.f('fk_pending_charge_card_id_program_card')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_charge')),
    sa.UniqueConstraint('reference', name=op.f('uq_pending_charge_reference'))
    )
    with op.batch_alter_table('pending_charge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_charge_card_id'), ['card_id'], unique=False)

    with op.batch_alter_table('program_card', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cardmember_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('credit_limit', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('security_code_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_program_card_cardmember_id'), ['cardmember_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_program_card_cardmember_id_cardmember'), 'cardmember', ['cardmember_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('program_card', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_program_card_cardmember_id_cardmember'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_program_card_cardmember_id'))
        batch_op.drop_column('security_code_hash')
        batch_op.drop_column('credit_limit')
        batch_op.drop_column('cardmember_id')

    with op.batch_alter_table('pending_charge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_charge_card_id'))

    op.drop_table('pending_charge')
    op.drop_table('cardmember')
