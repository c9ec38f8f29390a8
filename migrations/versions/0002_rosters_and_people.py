"""rosters and people

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:38:49.989312

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


SORT_KEY = sa.String(length=255).with_variant(sa.String(length=255, collation="C"), "postgresql")


def upgrade():
    op.create_table('roster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('testing', 'vaccination', name='rosterkind', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'approved', name='rosterstatus', native_enum=False, length=20), nullable=False),
    sa.Column('return_reason', sa.String(length=1000), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'campaign_id', 'kind', name='uq_roster_unit_campaign_kind')
    )
    with op.batch_alter_table('roster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_unit_id'), ['unit_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=100), nullable=False),
    sa.Column('name_folded', sa.String(length=100), nullable=False),
    sa.Column('sort_key', SORT_KEY, nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('sex', sa.Enum('male', 'female', name='sex', native_enum=False, length=10), nullable=False),
    sa.Column('cccd', sa.String(length=12), nullable=True),
    sa.Column('phone', sa.String(length=10), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('zone', sa.Enum('lockdown', 'high_risk', 'other', name='zone', native_enum=False, length=20), nullable=False),
    sa.Column('priority_group', sa.String(length=40), nullable=True),
    sa.Column('prior_doses', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['roster_id'], ['roster.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_roster_sort', ['roster_id', 'sort_key', 'id', 'name_folded'], unique=False)
        batch_op.create_index('ix_person_roster_zone', ['roster_id', 'zone', 'sort_key', 'id', 'name_folded'], unique=False)
        batch_op.create_index('ix_person_roster_folded', ['roster_id', 'name_folded'], unique=False,
                              postgresql_ops={'name_folded': 'varchar_pattern_ops'})
        batch_op.create_index('ix_person_campaign_cccd', ['campaign_id', 'cccd'], unique=False)
        batch_op.create_index('ix_person_campaign_phone', ['campaign_id', 'phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_unit_id'), ['unit_id'], unique=False)

    op.create_table('roster_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=True),
    sa.Column('status', sa.Enum('preview', 'committed', 'cancelled', name='batchstatus', native_enum=False, length=20), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('warned', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['roster_id'], ['roster.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_import_roster_id'), ['roster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_import_unit_id'), ['unit_id'], unique=False)

    op.create_table('roster_import_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Boolean(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('messages', sa.Text(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['roster_import.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['roster_id'], ['roster.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roster_import_row', schema=None) as batch_op:
        batch_op.create_index('ix_import_row_batch', ['batch_id', 'row_number'], unique=False)
        batch_op.create_index('ix_import_row_roster', ['roster_id', 'rejected', 'resolved_at'], unique=False)


def downgrade():
    op.drop_table('roster_import_row')
    op.drop_table('roster_import')
    op.drop_table('person')
    op.drop_table('roster')
