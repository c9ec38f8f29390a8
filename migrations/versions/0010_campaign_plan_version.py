"""campaign plan version: a number that changes with the rounds, zone targets and lab routing

Each worker process keeps a campaign's rounds, zone targets and routing plan in memory for the
sampling point; the version, read with the site on every recording, tells it when to read them
again (portal/campaigns/plan.py). Existing campaigns start at 0: a process starts empty.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('campaign', sa.Column('plan_version', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('campaign') as batch:
        batch.drop_column('plan_version')
