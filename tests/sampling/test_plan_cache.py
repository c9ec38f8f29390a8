"""The campaign plan each process keeps for the point (rounds, targets, routing: campaigns/plan.py)
is never stale: an edit gives the campaign a new plan_version, and the next recording, in this
process or another one, reads the plan again. The coverage counters kept one sample at a time
equal a rebuild from scratch."""
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.campaigns import services as campaigns
from portal.coverage.models import CoverageCounter, PersonStatus
from portal.coverage.services import rebuild_campaign
from portal.extensions import db
from portal.rosters.models import Person
from portal.sampling import services
from portal.sampling.models import Sample
from portal.timeutil import local_today, utcnow
from portal.units.services import by_code
from tests.sampling.conftest import people_of, site_of

HX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parents[2]


def _record(client, site, person) -> Sample:
    response = client.post(f"/sampling/sites/{site.id}/record", data={"q": person.cccd}, headers=HX)
    assert response.status_code == 200 and "Đã lấy mẫu".encode() in response.data, response.text
    db.session.expire_all()
    return db.session.scalars(select(Sample).where(Sample.person_id == person.id).order_by(Sample.id.desc())).first()


def _route_to_second_lab(campaign):
    campaigns.add_lab(None, campaign, by_code("TTYT-BD"))
    campaigns.set_route(None, campaign, by_code("00001"), by_code("TTYT-BD"))


def test_a_new_route_sends_the_next_sample_to_the_new_lab(login_as, campaign, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    a, b = people_of("00001", n=2)
    assert _record(client, site, a).tube.lab_unit_id == by_code("CDC").id  # the plan is now kept in this process
    version = campaign.plan_version
    _route_to_second_lab(campaign)
    db.session.commit()
    assert campaign.plan_version != version
    assert _record(client, site, b).tube.lab_unit_id == by_code("TTYT-BD").id


def test_a_route_set_by_another_process_reaches_this_one(app, login_as, campaign, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    a, b = people_of("00001", n=2)
    assert _record(client, site, a).tube.lab_unit_id == by_code("CDC").id
    name = campaign.name
    db.session.commit()  # the tests share one session with the requests: nothing kept from before the change
    script = textwrap.dedent(f"""
        from portal import create_app
        from portal.campaigns import services as campaigns
        from portal.extensions import db
        from portal.units.services import by_code
        from tests.conftest import make_config

        app = create_app(make_config({app.config["SQLALCHEMY_DATABASE_URI"]!r}))
        with app.app_context():
            campaign = campaigns.by_name({name!r})
            campaigns.add_lab(None, campaign, by_code("TTYT-BD"))
            campaigns.set_route(None, campaign, by_code("00001"), by_code("TTYT-BD"))
            db.session.commit()
    """)
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    assert _record(client, site, b).tube.lab_unit_id == by_code("TTYT-BD").id


def test_a_round_added_after_the_plan_was_kept_is_used_at_once(campaign, today_round):
    site = site_of("00001")
    a, b = people_of("00001", n=2)
    clerk = db.session.scalars(select(User).where(User.username == "xa1")).one()
    later = utcnow() + timedelta(days=40)
    services.record_sample(clerk, site, a)  # today's round: the plan is kept
    with pytest.raises(services.SamplingError, match="không thuộc đợt lấy mẫu nào"):
        services.record_sample(clerk, site, b, now=later)
    day = local_today() + timedelta(days=40)
    campaigns.extend_campaign(None, campaign, day + timedelta(days=1))
    new_round = campaigns.add_round(None, campaign, day - timedelta(days=1), day + timedelta(days=1))
    assert services.record_sample(clerk, site, b, now=later).round_number == new_round.number


def test_a_new_zone_deadline_decides_whether_the_next_sample_is_on_time(login_as, campaign, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    a, b = people_of("00001", n=2, zone="other")
    yesterday, tomorrow = local_today() - timedelta(days=1), local_today() + timedelta(days=1)
    bit = 1 << (today_round.number - 1)
    campaigns.set_target(None, campaign, "other", 1, yesterday)
    db.session.commit()
    _record(client, site, a)
    assert db.session.get(PersonStatus, a.id).rounds_on_time & bit == 0
    campaigns.set_target(None, campaign, "other", 1, tomorrow)
    db.session.commit()
    _record(client, site, b)
    assert db.session.get(PersonStatus, b.id).rounds_on_time & bit == bit


def _counters(campaign_id):
    return sorted((c.unit_id, c.zone, c.key, c.value) for c in db.session.scalars(
        select(CoverageCounter).where(CoverageCounter.campaign_id == campaign_id)) if c.value)


def _states(campaign_id):
    return sorted((s.person_id, s.unit_id, s.zone, s.priority_group, s.rounds, s.rounds_on_time, s.pending,
                   s.positive, s.retest, s.doses) for s in db.session.scalars(
        select(PersonStatus).where(PersonStatus.campaign_id == campaign_id)))


def test_counters_kept_one_sample_at_a_time_equal_a_rebuild(login_as, campaign, today_round):
    """First samples, a person sampled in earlier rounds (demo data), a pool: the states and
    counters moved by each new sample are those the rebuild derives from all the samples."""
    client = login_as("xa1")
    site = site_of("00001")
    fresh = people_of("00001", n=4)
    sampled_before = db.session.scalars(select(Person).where(Person.id.in_(select(Sample.person_id)), Person.id.not_in(
        [p.id for p in fresh]), Person.unit_id == site.unit_id, Person.cccd.is_not(None)).order_by(Person.id).limit(3)).all()
    assert sampled_before, "the demo has samples of earlier rounds"
    for person in fresh[:2] + list(sampled_before):
        _record(client, site, person)
    assert client.post(f"/sampling/sites/{site.id}/record", data={"q": "+G900"}, headers=HX).status_code == 200
    for person in fresh[2:]:
        _record(client, site, person)
    db.session.commit()
    kept = (_counters(campaign.id), _states(campaign.id))
    rebuild_campaign(campaign.id)
    db.session.commit()
    assert kept == (_counters(campaign.id), _states(campaign.id))
