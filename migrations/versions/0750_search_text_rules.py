"""search: the text rules an index was built under

Revision ID: 0750
Revises: 0740
Create Date: 2026-12-07 16:20:00.000000

``search_state.rules`` holds ``portal.search.normalize.RULES`` of the build. Existing indexes
get 1 (before Latin accents were folded), so the next data load (``flask load-data``, also
run by ``make run``) rebuilds them and ``cafe`` finds ``Café``.
"""
from alembic import op
import sqlalchemy as sa


revision = '0750'
down_revision = '0740'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rules', sa.Integer(), server_default='1',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.drop_column('rules')
