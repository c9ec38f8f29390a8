"""The people on the rosters are coverage counters: every path that adds, edits, moves,
removes or imports people keeps them equal to a fresh count of the rosters, at once (no cache),
also when two clerks add people to the same commune at the same time."""
import re
from collections import Counter

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from portal.campaigns import services as campaigns
from portal.coverage import services
from portal.coverage.models import CoverageCounter
from portal.demo.loader import DEMO_CAMPAIGN
from portal.extensions import db
from portal.rosters import imports, services as rosters
from portal.rosters.models import Person, Roster, RosterKind, RosterStatus
from portal.timeutil import local_today
from portal.units.models import Unit
from portal.units.services import by_code
from tests.conftest import post_at_once
from tests.rosters.roster_helpers import person_data, roster_of
from tests.sampling.conftest import as_user

HX = {"HX-Request": "true"}
ZONES = ("lockdown", "high_risk", "other")
ZONE_LABELS = {"lockdown": "Phong tỏa", "high_risk": "Nguy cơ cao", "other": "Khác"}
GROUPS = ("1", "2", "7")
# Two communes, each with its testing and vaccination roster: people move between all four.
ROSTERS = (("00001", RosterKind.TESTING), ("00001", RosterKind.VACCINATION), ("00004", RosterKind.TESTING),
           ("00004", RosterKind.VACCINATION))


def head_counters(campaign_id: int) -> dict:
    """The head-count counters as kept (zero ones left out)."""
    return {(c.unit_id, c.zone, c.key): c.value for c in db.session.scalars(select(CoverageCounter).where(
        CoverageCounter.campaign_id == campaign_id,
        (CoverageCounter.key == "people") | CoverageCounter.key.startswith("vacc_people:"))) if c.value}


def recount(campaign_id: int) -> dict:
    """The same figures by a GROUP BY over every person of the campaign's rosters."""
    rows = db.session.execute(select(Person.unit_id, Person.zone, Roster.kind, Person.priority_group, func.count())
                              .join(Roster, Roster.id == Person.roster_id).where(Roster.campaign_id == campaign_id)
                              .group_by(Person.unit_id, Person.zone, Roster.kind, Person.priority_group))
    out = Counter()
    for unit_id, zone, kind, group, count in rows:
        out[(unit_id, zone.value, "people" if kind is RosterKind.TESTING else f"vacc_people:{group or ''}")] += count
    return {key: value for key, value in out.items() if value}


def shown(page: str, figure: str) -> int:
    """The number a dashboard fragment shows for one figure (digits of its first cell)."""
    cell = page.split(f'data-figure="{figure}">', 1)[1].split("</dd>", 1)[0]
    return int(re.sub(r"<[^>]*>|\D", "", re.sub(r"<small>.*", "", cell)))


def _city_total(campaign):
    return services.dashboard(campaign, by_code("01"), select(Unit.id), local_today()).total


# ---- random sequences of roster changes -----------------------------------------------------

_roster = st.integers(0, len(ROSTERS) - 1)
_pick = st.integers(0, 10_000)
OPERATIONS = st.one_of(
    st.tuples(st.just("add"), _roster, st.sampled_from(ZONES), st.sampled_from(GROUPS), st.integers(0, 2)),
    st.tuples(st.just("zone"), _pick, st.sampled_from(ZONES)),
    st.tuples(st.just("group"), _pick, st.sampled_from(GROUPS)),
    st.tuples(st.just("move"), _pick, _roster),
    st.tuples(st.just("delete"), _pick),
    st.tuples(st.just("import"), _roster,
              st.lists(st.tuples(st.sampled_from(ZONES), st.sampled_from(GROUPS), st.integers(0, 2)), min_size=1,
                       max_size=4)),
)


def _import_text(kind: RosterKind, rows) -> bytes:
    header = "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Địa chỉ,Khu vực"
    if kind is RosterKind.VACCINATION:
        header += ",Nhóm ưu tiên,Số mũi đã tiêm"
    lines = [header]
    for n, (zone, group, doses) in enumerate(rows):
        line = f"Lò Thị Nhập,{1960 + n},Nữ,,,Số {n + 1} Phúc Xá,{ZONE_LABELS[zone]}"
        if kind is RosterKind.VACCINATION:
            line += f",Nhóm {group},{doses}"
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


def _apply(operation, targets: list[Roster], people: list[Person]) -> None:
    name = operation[0]
    if name == "add":
        _, index, zone, group, doses = operation
        roster = targets[index]
        vaccination = roster.kind is RosterKind.VACCINATION
        people.append(rosters.add_person(None, roster, person_data(
            full_name="Đinh Văn Thêm", cccd="", phone="", zone=zone,
            priority_group=group if vaccination else "", prior_doses=str(doses) if vaccination else "0")))
    elif name == "import":
        _, index, rows = operation
        roster = targets[index]
        last = db.session.scalar(select(func.max(Person.id)))
        analysis = imports.import_file(None, roster, "ds.csv", _import_text(roster.kind, rows))
        assert (len(analysis.accepted), len(analysis.rejected)) == (len(rows), 0)
        people.extend(db.session.scalars(select(Person).where(Person.id > last)))
    elif not people:
        return
    elif name in ("zone", "group"):
        _, pick, value = operation
        person = people[pick % len(people)]
        data = rosters.person_form_data(person) | {"cccd": "", "phone": ""}
        if name == "zone":
            data["zone"] = value
        elif person.roster.kind is RosterKind.VACCINATION:
            data["priority_group"] = value
        rosters.update_person(None, person, data)
    elif name == "move":  # no screen moves a person to another roster: the hooks still follow one
        _, pick, index = operation
        person, roster = people[pick % len(people)], targets[index]
        person.roster_id, person.unit_id = roster.id, roster.unit_id
        db.session.flush()
        db.session.expire(person, ["roster"])
    elif name == "delete":
        person = people.pop(operation[1] % len(people))
        rosters.remove_person(None, person)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(OPERATIONS, min_size=1, max_size=8))
def test_head_counts_equal_a_recount_after_any_roster_changes(app, operations):
    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    targets = [roster_of(code, kind) for code, kind in ROSTERS]
    for roster in targets:
        roster.status = RosterStatus.DRAFT
    db.session.flush()
    assert head_counters(campaign.id) == recount(campaign.id)
    people: list[Person] = []
    try:
        for operation in operations:
            _apply(operation, targets, people)
            assert head_counters(campaign.id) == recount(campaign.id), operation
    finally:
        db.session.rollback()  # the next example starts from the demo again


def test_rebuild_recounts_head_counts_that_drifted(app, runner):
    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    expected = recount(campaign.id)
    services.bump(campaign.id, by_code("00001").id, "other", {"people": 5, "vacc_people:Nhóm 1": -2})
    db.session.commit()
    assert head_counters(campaign.id) != expected
    result = runner.invoke(args=["coverage", "--campaign", DEMO_CAMPAIGN, "--rebuild"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert head_counters(campaign.id) == expected


# ---- what the dashboard shows ----------------------------------------------------------------

def test_the_dashboard_counts_an_added_person_on_the_next_refresh(app):
    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    office = as_user(app, "soyte")
    url = f"/coverage/?campaign={campaign.id}"
    page = office.get(url, headers=HX)  # a refresh before: nothing may keep its figures
    before = _city_total(campaign)
    assert (shown(page.text, "people"), shown(page.text, "vacc_people")) == (before.people, before.vacc_people)
    db.session.commit()

    clerk = as_user(app, "xa1")
    roster = roster_of("00001")
    response = clerk.post(f"/rosters/{roster.id}/people", data=person_data(cccd="", phone="", zone="high_risk"))
    assert response.status_code == 303, response.text
    vaccination = roster_of("00001", RosterKind.VACCINATION)
    response = clerk.post(f"/rosters/{vaccination.id}/people",
                          data=person_data(cccd="", phone="", priority_group="2", prior_doses="0"))
    assert response.status_code == 303, response.text

    page = office.get(url, headers=HX)
    assert page.status_code == 200
    db.session.expire_all()
    after = _city_total(campaign)
    assert (after.people, after.vacc_people) == (before.people + 1, before.vacc_people + 1)
    assert (shown(page.text, "people"), shown(page.text, "vacc_people")) == (after.people, after.vacc_people)


def test_removing_a_person_and_moving_a_zone_show_at_once(app):
    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    commune = by_code("00001")
    clerk = as_user(app, "xa1")
    roster = roster_of("00001")
    response = clerk.post(f"/rosters/{roster.id}/people", data=person_data(cccd="", phone="", zone="lockdown"))
    assert response.status_code == 303, response.text
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id).order_by(Person.id.desc())).first()
    before = services.dashboard(campaign, commune, select(Unit.id), local_today()).by_zone
    db.session.commit()

    data = {f"e{person.id}-{k}": v for k, v in person_data(cccd="", phone="", zone="other").items()}
    response = clerk.post(f"/rosters/{roster.id}/people/{person.id}/edit", data=data)
    assert response.status_code == 303, response.text
    db.session.expire_all()
    moved = services.dashboard(campaign, commune, select(Unit.id), local_today()).by_zone
    assert (moved["lockdown"].people, moved["other"].people) == (before["lockdown"].people - 1,
                                                                 before["other"].people + 1)
    db.session.commit()

    response = clerk.post(f"/rosters/{roster.id}/people/{person.id}/remove", data={"confirmed": "yes"})
    assert response.status_code in (302, 303), response.text
    db.session.expire_all()
    removed = services.dashboard(campaign, commune, select(Unit.id), local_today()).by_zone
    assert removed["other"].people == before["other"].people
    assert head_counters(campaign.id) == recount(campaign.id)


# ---- two clerks at once -----------------------------------------------------------------------

CLERKS = 2
EACH = 6


def test_two_clerks_adding_people_to_one_commune_at_once_lose_no_count(app):
    campaign_id = campaigns.by_name(DEMO_CAMPAIGN).id
    roster = roster_of("00001")
    roster_id, key = roster.id, (roster.unit_id, "lockdown", "people")
    before = head_counters(campaign_id)
    data = person_data(full_name="Hà Thị Cùng Lúc", cccd="", phone="", zone="lockdown")
    statuses, errors = post_at_once(app, "xa1", CLERKS, EACH,
                                    lambda client, n, i: client.post(f"/rosters/{roster_id}/people", data=data))
    assert errors == [] and statuses == [303] * (CLERKS * EACH)
    after = head_counters(campaign_id)
    assert after[key] == before[key] + CLERKS * EACH
    assert after == recount(campaign_id)
