"""campaigns, samples, doses

Revision ID: 0004
Revises: 0003

Rounds, zone targets, sites, labs and routing; tubes, samples and doses; the coverage
counters and per-person state that keep dashboards from scanning samples.
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_lab',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'unit_id', name='uq_lab_campaign_unit')
    )
    op.create_table('campaign_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'number', name='uq_round_campaign_number')
    )
    op.create_table('campaign_site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('sampling_point', 'vaccination_site', 'mobile_station', name='sitekind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('campaign_site', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_site_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_site_unit_id'), ['unit_id'], unique=False)

    op.create_table('coverage_counter',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('campaign_id', 'unit_id', 'zone', 'key')
    )
    op.create_table('lab_route',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('lab_unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lab_unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'area_id', name='uq_route_campaign_area')
    )
    op.create_table('zone_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=20), nullable=False),
    sa.Column('rounds_required', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'zone', name='uq_target_campaign_zone')
    )
    op.create_table('sample_tube',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('lab_unit_id', sa.Integer(), nullable=False),
    sa.Column('pooled', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', 'resulted', name='tubestatus', native_enum=False, length=20), nullable=False),
    sa.Column('result', sa.Enum('pending', 'negative', 'positive', 'pool_positive', name='result', native_enum=False, length=20), nullable=False),
    sa.Column('result_at', sa.DateTime(), nullable=True),
    sa.Column('result_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['lab_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['result_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['campaign_site.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('sample_tube', schema=None) as batch_op:
        batch_op.create_index('ix_tube_lab_status', ['lab_unit_id', 'status'], unique=False)
        batch_op.create_index('ix_tube_site_status', ['site_id', 'status'], unique=False)

    op.create_table('person_status',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=20), nullable=False),
    sa.Column('priority_group', sa.String(length=40), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('rounds_on_time', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Integer(), nullable=False),
    sa.Column('positive', sa.Boolean(), nullable=False),
    sa.Column('retest', sa.Boolean(), nullable=False),
    sa.Column('doses', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('person_id')
    )
    with op.batch_alter_table('person_status', schema=None) as batch_op:
        batch_op.create_index('ix_person_status_unit', ['campaign_id', 'unit_id', 'zone'], unique=False)

    op.create_table('sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tube_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('pooled', sa.Boolean(), nullable=False),
    sa.Column('result', sa.Enum('pending', 'negative', 'positive', 'pool_positive', name='result', native_enum=False, length=20), nullable=False),
    sa.Column('result_at', sa.DateTime(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['campaign_site.id'], ),
    sa.ForeignKeyConstraint(['tube_id'], ['sample_tube.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_sample_site_taken', ['site_id', 'taken_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sample_tube_id'), ['tube_id'], unique=False)

    op.create_table('vaccine_dose',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('vaccine', sa.String(length=60), nullable=False),
    sa.Column('lot', sa.String(length=40), nullable=False),
    sa.Column('dose_number', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['campaign_site.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vaccine_dose', schema=None) as batch_op:
        batch_op.create_index('ix_dose_site_created', ['site_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_vaccine_dose_person_id'), ['person_id'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_roster_zone_group', ['roster_id', 'zone', 'priority_group'], unique=False)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_roster_zone_group')

    with op.batch_alter_table('vaccine_dose', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vaccine_dose_person_id'))
        batch_op.drop_index('ix_dose_site_created')

    op.drop_table('vaccine_dose')
    with op.batch_alter_table('sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_tube_id'))
        batch_op.drop_index('ix_sample_site_taken')
        batch_op.drop_index(batch_op.f('ix_sample_person_id'))

    op.drop_table('sample')
    with op.batch_alter_table('person_status', schema=None) as batch_op:
        batch_op.drop_index('ix_person_status_unit')

    op.drop_table('person_status')
    with op.batch_alter_table('sample_tube', schema=None) as batch_op:
        batch_op.drop_index('ix_tube_site_status')
        batch_op.drop_index('ix_tube_lab_status')

    op.drop_table('sample_tube')
    op.drop_table('zone_target')
    op.drop_table('lab_route')
    op.drop_table('coverage_counter')
    with op.batch_alter_table('campaign_site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_site_unit_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_site_campaign_id'))

    op.drop_table('campaign_site')
    op.drop_table('campaign_round')
    op.drop_table('campaign_lab')
