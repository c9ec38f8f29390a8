"""campaigns, samples, doses

Revision ID: 0004
Revises: 0003

Reserved in the chain so that each domain's work can land in any order.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
