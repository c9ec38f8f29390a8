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
    sa.Column('sort_key', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('sex', sa.Enum('male', 'female', name='sex', native_enum=False, length=10), nullable=False),
    sa.Column('cccd', sa.String(length=12), nullable=True),
    sa.Column('phone', sa.String(length=10), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('zone', sa.Enum('lockdown', 'high_risk', 'other', name='zone', native_enum=False, length=20), nullable=False),
    sa.Column('priority_group', sa.String(length=40), nullable=True),
    sa.Column('prior_doses', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['roster_id'], ['roster.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_campaign_cccd', ['campaign_id', 'cccd'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_roster_id'), ['roster_id'], unique=False)
        batch_op.create_index('ix_person_unit_folded', ['unit_id', 'name_folded'], unique=False)
        batch_op.create_index('ix_person_unit_phone', ['unit_id', 'phone'], unique=False)
        batch_op.create_index('ix_person_unit_sort', ['unit_id', 'sort_key'], unique=False)



def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_unit_sort')
        batch_op.drop_index('ix_person_unit_phone')
        batch_op.drop_index('ix_person_unit_folded')
        batch_op.drop_index(batch_op.f('ix_person_roster_id'))
        batch_op.drop_index('ix_person_campaign_cccd')

    op.drop_table('person')
    with op.batch_alter_table('roster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_unit_id'))
        batch_op.drop_index(batch_op.f('ix_roster_campaign_id'))

    op.drop_table('roster')
