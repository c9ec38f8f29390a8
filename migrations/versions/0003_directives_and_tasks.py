"""directives and tasks

Revision ID: 0003
Revises: 0002

Directives, their tasks (lead and coordinating units), the tasks' timeline (task_event) and
report attachments. Status is derived, never stored: the state column is the workflow step.
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('number_symbol', sa.String(length=60), nullable=False),
    sa.Column('doc_type', sa.Enum('chi_thi', 'ke_hoach', 'cong_van', 'quyet_dinh', 'thong_bao', name='doctype', native_enum=False, length=20), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('issuer_folded', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_year', sa.Integer(), nullable=False),
    sa.Column('signer', sa.String(length=120), nullable=False),
    sa.Column('excerpt', sa.String(length=1000), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('search_folded', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_stored', sa.String(length=80), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('issuer_folded', 'issued_year', 'number_symbol', name='uq_directive_issuer_year_number')
    )
    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.create_index('ix_directive_issued_on', ['issued_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_directive_unit_id'), ['unit_id'], unique=False)

    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('lead_unit_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('rhythm', sa.Enum('daily', 'weekly', name='rhythm', native_enum=False, length=20), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('state', sa.Enum('new', 'accepted', 'submitted', 'approved', 'done', name='taskstate', native_enum=False, length=20), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('return_reason', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['directive_id'], ['directive.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_directive_id'), ['directive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_lead_unit_id'), ['lead_unit_id'], unique=False)
        batch_op.create_index('ix_task_state_deadline', ['state', 'deadline'], unique=False)

    op.create_table('task_coordinator',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('task_id', 'unit_id')
    )
    with op.batch_alter_table('task_coordinator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_coordinator_unit_id'), ['unit_id'], unique=False)

    op.create_table('task_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('created', 'edited', 'accepted', 'assigned', 'progress', 'contribution', 'submitted', 'head_approved', 'head_returned', 'office_accepted', 'office_returned', 'reopened', name='eventkind', native_enum=False, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task_event', schema=None) as batch_op:
        batch_op.create_index('ix_task_event_task_kind_day', ['task_id', 'kind', 'reported_on'], unique=False)

    op.create_table('task_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['task_event.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stored_name')
    )
    with op.batch_alter_table('task_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_attachment_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_attachment_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('task_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_attachment_task_id'))
        batch_op.drop_index(batch_op.f('ix_task_attachment_event_id'))

    op.drop_table('task_attachment')
    with op.batch_alter_table('task_event', schema=None) as batch_op:
        batch_op.drop_index('ix_task_event_task_kind_day')

    op.drop_table('task_event')
    with op.batch_alter_table('task_coordinator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_coordinator_unit_id'))

    op.drop_table('task_coordinator')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_state_deadline')
        batch_op.drop_index(batch_op.f('ix_task_lead_unit_id'))
        batch_op.drop_index(batch_op.f('ix_task_directive_id'))
        batch_op.drop_index(batch_op.f('ix_task_assignee_id'))

    op.drop_table('task')
    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directive_unit_id'))
        batch_op.drop_index('ix_directive_issued_on')

    op.drop_table('directive')
