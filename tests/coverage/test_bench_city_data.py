"""The benchmark's bulk city data set (bench/bigcity.py) derives each person's state and the
dashboard's counters by SQL and per-pattern arithmetic: they must equal what the portal's own
rebuild computes from the same samples, or the dashboard figure would be measured on data the
portal could not have produced."""
from __future__ import annotations

import os

from sqlalchemy import select

from bench import bigcity, inproc
from bench.world import build_world
from portal.coverage import services
from portal.coverage.models import CoverageCounter, PersonStatus
from portal.extensions import db


def _snapshot(campaign_id: int):
    statuses = {row.person_id: (row.unit_id, row.zone, row.rounds, row.rounds_on_time, row.pending, row.positive,
                                row.retest, row.doses)
                for row in db.session.scalars(select(PersonStatus).where(PersonStatus.campaign_id == campaign_id))}
    counters = {(unit_id, zone, key): value for unit_id, zone, key, value in db.session.execute(
        select(CoverageCounter.unit_id, CoverageCounter.zone, CoverageCounter.key, CoverageCounter.value)
        .where(CoverageCounter.campaign_id == campaign_id)) if value}
    return statuses, counters


def test_bulk_city_data_equals_the_portals_rebuild(tmp_path):
    kind = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    world = build_world(kind, tmp_path, clerks=2)
    try:
        with inproc.app_for(world):
            stats = bigcity.fill(world, 1_260, 3_700, progress=lambda _m: None)
            assert stats["people"] == 1_260 and 3_000 < stats["samples"] < 4_400
            bulk = _snapshot(world.campaign_id)
            assert len(bulk[0]) == 1_260
            assert sum(v for (_u, _z, key), v in bulk[1].items() if key == "sampled") == 1_260
            services.rebuild_campaign(world.campaign_id)
            db.session.commit()
            assert _snapshot(world.campaign_id) == bulk
            db.session.remove()
    finally:
        world.drop()
