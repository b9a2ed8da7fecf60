"""cardmember changes and email changes

Revision ID: 0730
Revises: 0720
Create Date: 2026-12-05 11:37:14.117152
"""
from alembic import op
import sqlalchemy as sa
import portal.db


revision = '0730'
down_revision = '0720'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cardmember_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cardmember_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=20), nullable=False),
    sa.Column('before', sa.String(length=300), nullable=False),
    sa.Column('after', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cardmember_id'], ['cardmember.id'], name=op.f('fk_cardmember_change_cardmember_id_cardmember')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cardmember_change'))
    )
    with op.batch_alter_table('cardmember_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cardmember_change_cardmember_id'), ['cardmember_id'], unique=False)

    op.create_table('cardmember_email_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cardmember_id', sa.Integer(), nullable=False),
    sa.Column('new_email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cardmember_id'], ['cardmember.id'], name=op.f('fk_cardmember_email_change_cardmember_id_cardmember')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cardmember_email_change')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_cardmember_email_change_token_hash'))
    )
    with op.batch_alter_table('cardmember_email_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cardmember_email_change_cardmember_id'), ['cardmember_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cardmember_email_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cardmember_email_change_cardmember_id'))

    op.drop_table('cardmember_email_change')
    with op.batch_alter_table('cardmember_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cardmember_change_cardmember_id'))

    op.drop_table('cardmember_change')
