"""performance: a trigram index for the name search on PostgreSQL

The roster search matches a typed text anywhere in the folded name (LIKE '%text%'): no B-tree
serves that, so a rare name walked the whole roster on every keystroke. On PostgreSQL a GIN
trigram index (pg_trgm, a trusted extension since PostgreSQL 13: the database owner may create
it) answers it from the index for texts of three letters or more; shorter texts match so many
people that the first page is found at once anyway. SQLite keeps its covering B-tree indexes
(ix_person_roster_folded, ix_person_roster_sort): nothing changes there.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_person_name_trgm', 'person', ['name_folded'], unique=False, postgresql_using='gin',
                    postgresql_ops={'name_folded': 'gin_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_person_name_trgm', table_name='person')
