"""head counts: the people on rosters become coverage counters

The city dashboard read its samples, results and doses from the coverage counters but
recounted the people on the rosters per (commune, roster kind, zone, priority group) with a
GROUP BY over every person (the covering index ix_person_roster_zone_group), kept 30 s per
server process. People are now counters too, bumped in the transaction that adds, moves or
removes them: key 'people' (testing roster) and 'vacc_people:<priority group>' (vaccination
roster) in the cell of their commune and zone. This fills them once from the rosters as they
are, and drops the index nothing reads any more.

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

HEAD_KEY = ("CASE WHEN r.kind = 'testing' THEN 'people' "
            "ELSE 'vacc_people:' || COALESCE(p.priority_group, '') END")


def upgrade():
    op.execute(
        "INSERT INTO coverage_counter (campaign_id, unit_id, zone, key, value) "
        f"SELECT p.campaign_id, p.unit_id, p.zone, {HEAD_KEY}, count(*) "
        "FROM person p JOIN roster r ON r.id = p.roster_id "
        f"GROUP BY p.campaign_id, p.unit_id, p.zone, {HEAD_KEY}")
    op.drop_index('ix_person_roster_zone_group', table_name='person')


def downgrade():
    op.create_index('ix_person_roster_zone_group', 'person', ['roster_id', 'zone', 'priority_group'], unique=False)
    op.execute("DELETE FROM coverage_counter WHERE key = 'people' OR key LIKE 'vacc_people:%'")
