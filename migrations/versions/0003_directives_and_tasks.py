"""directives and tasks

Revision ID: 0003
Revises: 0002

Reserved in the chain so that each domain's work can land in any order.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
