"""Dashboards: counters agree with a full recompute and with the CLI; scope; drill-down."""
from sqlalchemy import select

from portal.campaigns import services as campaigns
from portal.coverage import services
from portal.coverage.cli import table
from portal.coverage.models import CoverageCounter
from portal.demo.loader import DEMO_CAMPAIGN
from portal.extensions import db
from portal.timeutil import local_today
from portal.units.models import Unit
from portal.units.services import by_code
from tests.sampling.conftest import as_user, people_of, site_of

HX = {"HX-Request": "true"}


def _counters(campaign_id):
    return {(c.unit_id, c.zone, c.key): c.value for c in db.session.scalars(
        select(CoverageCounter).where(CoverageCounter.campaign_id == campaign_id)) if c.value}


def _city(campaign):
    return services.dashboard(campaign, by_code("01"), select(Unit.id), local_today())


def test_incremental_counters_equal_a_full_recompute(app, today_round):
    from portal.auth.models import User
    from portal.sampling import lab, services as sampling

    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    clerk = db.session.scalars(select(User).where(User.username == "xa1")).one()
    tech = db.session.scalars(select(User).where(User.username == "xetnghiem")).one()
    site = site_of("00001")
    people = people_of("00001", n=4)
    sampling.open_pool(clerk, site, "GINC")
    for person in people[:3]:
        sampling.record_sample(clerk, site, person)
    sampling.close_pool(clerk, site)
    sampling.record_sample(clerk, site, people[3])
    lab.enter_results(tech, select(Unit.id), lab.parse_lines("GINC,duong"))
    incremental = _counters(campaign.id)
    services.rebuild_campaign(campaign.id)
    assert _counters(campaign.id) == incremental


def test_demo_dashboard_shows_real_figures(app):
    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    data = _city(campaign)
    t = data.total
    assert t.people > 0 and t.rounds.get(1, 0) > 0 and t.met > 0 and t.positive > 0 and t.pending > 0
    assert t.dose1 > 0 and t.dose2 > 0 and len(t.days) >= 6 and t.retest >= 0
    assert data.round_numbers == [1, 2, 3, 4]  # 4: the demo round around today, no samples yet
    district = next(r for r in data.rows if r.unit.code == "001")
    assert district.figures.rounds == t.rounds and 0 < district.figures.people <= t.people


def test_cli_prints_the_same_figures_as_the_dashboard(app, runner):
    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    result = runner.invoke(args=["coverage", "--campaign", DEMO_CAMPAIGN, "--unit", "001"])
    assert result.exit_code == 0, result.output
    data = services.dashboard(campaign, by_code("001"), select(Unit.id), local_today())
    assert result.output.strip().splitlines() == table(data)
    commune = data.rows[0]
    line = next(l for l in result.output.splitlines() if l.startswith(commune.unit.name))
    assert f"{commune.figures.met_pct:.1f}" in line and str(commune.figures.people) in line


def test_cli_unknown_campaign_or_unit(runner):
    assert runner.invoke(args=["coverage", "--campaign", "Không có"]).exit_code != 0
    assert "Không có đơn vị".encode() in runner.invoke(args=["coverage", "--campaign", DEMO_CAMPAIGN, "--unit", "SYT"]).output.encode()


def test_health_department_sees_the_city_commune_clerk_only_the_commune(app):
    soyte = as_user(app, "soyte").get("/coverage/")
    assert soyte.status_code == 200 and "Thành phố Hà Nội".encode() in soyte.data and "Quận Ba Đình".encode() in soyte.data
    clerk = as_user(app, "xa1").get("/coverage/")
    assert "Phường Phúc Xá".encode() in clerk.data and "Phường Trúc Bạch".encode() not in clerk.data
    city = by_code("01")
    assert as_user(app, "xa1").get(f"/coverage/?unit={city.id}").status_code == 404
    assert as_user(app, "quan").get(f"/coverage/?unit={by_code('001').id}").status_code == 200


def test_polled_fragment_keeps_the_filters(app):
    client = as_user(app, "quan")
    unit = by_code("00001")
    response = client.get(f"/coverage/?unit={unit.id}", headers=HX)
    assert response.status_code == 200 and b"</html>" not in response.data
    assert f'hx-get="/coverage/?unit={unit.id}"'.encode() in response.data
    assert b'hx-trigger="every 5s"' in response.data


def test_positive_appears_at_once_on_commune_and_health_department_screens(app, today_round):
    from portal.auth.models import User
    from portal.sampling import lab, services as sampling

    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    before = _city(campaign).total.positive
    clerk = db.session.scalars(select(User).where(User.username == "xa1")).one()
    sample = sampling.record_sample(clerk, site_of("00001"), people_of("00001", n=1)[0])
    tech = db.session.scalars(select(User).where(User.username == "xetnghiem")).one()
    lab.enter_results(tech, select(Unit.id), lab.parse_lines(f"{sample.tube.code},duong"))
    db.session.commit()
    assert _city(campaign).total.positive == before + 1
    text = as_user(app, "soyte").get("/coverage/", headers=HX).data.decode()
    assert f'data-figure="positive">' in text


def test_drill_down_lists_the_people_behind_a_number(app):
    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    commune = by_code("00001")
    data = services.dashboard(campaign, commune, select(Unit.id), local_today())
    client = as_user(app, "xa1")
    response = client.get(f"/coverage/people?campaign={campaign.id}&unit={commune.id}&metric=missing&round=2&zone=lockdown")
    assert response.status_code == 200
    missing = data.by_zone["lockdown"].people - data.by_zone["lockdown"].rounds.get(2, 0)
    assert f"{missing} người".encode() in response.data
    people, total = services.people_behind(campaign, commune, select(Unit.id), "met")
    assert total == data.total.met


def test_drill_down_is_scoped_and_audited(app):
    from portal.audit import AuditEvent

    other = by_code("00004")
    assert as_user(app, "xa1").get(f"/coverage/people?unit={other.id}&metric=people").status_code == 404
    assert as_user(app, "xa1").get("/coverage/people?metric=bogus").status_code == 404
    assert as_user(app, "thuky").get("/coverage/people?metric=people").status_code == 403
    as_user(app, "xa1").get("/coverage/people?metric=people")
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "coverage.view_people")).first()


def test_changing_a_target_recomputes_met(app):
    from datetime import date

    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    before = _city(campaign).total.met
    campaigns.set_target(None, campaign, "lockdown", 1, date(2021, 9, 15))
    assert _city(campaign).total.met >= before
    campaigns.set_target(None, campaign, "other", 1, date(2021, 8, 1))  # before any sample
    after = _city(campaign)
    assert after.by_zone["other"].met == 0


def test_cli_rebuild_keeps_the_same_figures(app, runner):
    before = runner.invoke(args=["coverage", "--campaign", DEMO_CAMPAIGN]).output
    after = runner.invoke(args=["coverage", "--campaign", DEMO_CAMPAIGN, "--rebuild"])
    assert after.exit_code == 0 and after.output == before


def test_removing_a_sampled_person_from_the_roster_takes_their_coverage_along(app):
    from portal.rosters.models import Person
    from portal.sampling.models import Sample

    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    sampled = db.session.scalars(select(Person).join(Sample, Sample.person_id == Person.id)
                                 .where(Person.campaign_id == campaign.id)).first()
    db.session.delete(sampled)
    db.session.commit()
    incremental = _counters(campaign.id)
    services.rebuild_campaign(campaign.id)
    assert _counters(campaign.id) == incremental


def test_roster_edits_that_count_keep_the_counters_right(app):
    """A zone moved on the roster, or a person added with earlier doses, moves the counters
    at once: they equal a full recompute without `coverage --rebuild`."""
    from portal.rosters import services as roster_services
    from portal.rosters.models import Person, Roster, RosterStatus
    from portal.sampling.models import Sample

    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    person = db.session.scalars(select(Person).join(Sample, Sample.person_id == Person.id)
                                .join(Roster, Roster.id == Person.roster_id)
                                .where(Person.campaign_id == campaign.id, Roster.status == RosterStatus.DRAFT)).first()
    data = roster_services.person_form_data(person)
    data["zone"] = "other" if person.zone.value != "other" else "lockdown"
    roster_services.update_person(None, person, data)
    roster_services.add_person(None, person.roster, {
        "full_name": "Trịnh Văn Mười", "birth": "1970", "sex": "male", "zone": "high_risk",
        "priority_group": "1", "prior_doses": "1", "address": "Số 3"})
    db.session.flush()
    incremental = _counters(campaign.id)
    services.rebuild_campaign(campaign.id)
    rebuilt = _counters(campaign.id)
    diff = {k: (incremental.get(k), rebuilt.get(k)) for k in set(incremental) | set(rebuilt) if incremental.get(k) != rebuilt.get(k)}
    assert diff == {}
