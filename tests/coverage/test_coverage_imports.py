"""Roster imports, removals and cancelled imports keep the coverage counters right at once:
the dashboard and the CLI show imported people (zones, priority groups, earlier doses) without
`coverage --rebuild`, and a rebuild afterwards changes nothing."""
import io

from sqlalchemy import select

from portal.campaigns import services as campaigns
from portal.coverage import services
from portal.coverage.models import CoverageCounter, PersonStatus
from portal.demo.loader import DEMO_CAMPAIGN
from portal.extensions import db
from portal.rosters.models import ImportBatch, Person, RosterKind
from portal.timeutil import local_today
from portal.units.models import Unit
from portal.units.services import by_code
from tests.rosters.roster_helpers import roster_of
from tests.sampling.conftest import as_user

HX = {"HX-Request": "true"}
HEADER = "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Địa chỉ,Khu vực,Nhóm ưu tiên,Số mũi đã tiêm\n"
VACCINATION_CSV = HEADER + (
    "Đinh Văn Tám,02/03/1961,Nam,001061099001,0912990001,Số 1 Phúc Xá,Phong tỏa,Nhóm 1,2\n"
    "Lò Thị Chín,1975,Nữ,,0912990002,Số 2 Phúc Xá,Nguy cơ cao,Nhóm 1,1\n"
    "Hà Văn Mười,1990,Nam,,0912990003,Số 3 Phúc Xá,Khác,Nhóm 7,0\n"
    "Mai Thị Một Một,1959,Nữ,,0912990004,Số 4 Phúc Xá,Khác,Nhóm 99,2\n"  # no such group: refused, not counted
)
TESTING_CSV = HEADER.rsplit(",", 2)[0] + "\n" + (
    "Đinh Văn Hai Mươi,1980,Nam,,0912990020,Số 20 Phúc Xá,Phong tỏa\n"
    "Lò Thị Hai Mốt,1981,Nữ,,0912990021,Số 21 Phúc Xá,Nguy cơ cao\n"
)


def _counters(campaign_id):
    return {(c.unit_id, c.zone, c.key): c.value for c in db.session.scalars(
        select(CoverageCounter).where(CoverageCounter.campaign_id == campaign_id)) if c.value}


def _import(client, roster, text: str, commit: bool = True):
    response = client.post(f"/rosters/{roster.id}/import", data={"file": (io.BytesIO(text.encode()), "ds.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.text
    batch = db.session.scalars(select(ImportBatch).where(ImportBatch.roster_id == roster.id)
                               .order_by(ImportBatch.id.desc())).first()
    action = "commit" if commit else "cancel"
    assert client.post(f"/rosters/{roster.id}/imports/{batch.id}/{action}").status_code == 303
    db.session.expire_all()
    return batch


def _screens(app, runner, campaign):
    """What the commune clerk's dashboard and the CLI show for the commune."""
    commune = by_code("00001")
    page = as_user(app, "xa1").get(f"/coverage/?campaign={campaign.id}&unit={commune.id}", headers=HX)
    assert page.status_code == 200
    cli = runner.invoke(args=["coverage", "--campaign", DEMO_CAMPAIGN, "--unit", "00001"])
    assert cli.exit_code == 0, cli.output
    return page.text, cli.output


def _no_difference_after_rebuild(app, runner, campaign):
    counters, screens = _counters(campaign.id), _screens(app, runner, campaign)
    services.rebuild_campaign(campaign.id)
    db.session.commit()
    assert _counters(campaign.id) == counters
    assert _screens(app, runner, campaign) == screens


def test_imported_people_count_at_once_equal_to_a_rebuild(app, runner):
    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    commune = by_code("00001")
    before = services.dashboard(campaign, commune, select(Unit.id), local_today())
    _screens(app, runner, campaign)  # a refresh before the imports: nothing may keep its figures
    clerk = as_user(app, "xa1")
    vaccination = roster_of("00001", RosterKind.VACCINATION)
    batch = _import(clerk, vaccination, VACCINATION_CSV)
    _import(clerk, roster_of("00001"), TESTING_CSV)
    accepted = batch.accepted
    assert (accepted, batch.rejected) == (3, 1)

    after = services.dashboard(campaign, commune, select(Unit.id), local_today())
    assert after.total.vacc_people == before.total.vacc_people + accepted
    assert after.total.dose1 == before.total.dose1 + 2  # Tám (2 doses), Chín (1); not Mười (none)
    assert after.total.dose2 == before.total.dose2 + 1
    assert after.by_group["Nhóm 1"].dose1 == before.by_group["Nhóm 1"].dose1 + 2
    assert after.by_zone["lockdown"].people == before.by_zone["lockdown"].people + 1
    assert after.by_zone["high_risk"].people == before.by_zone["high_risk"].people + 1
    tam = db.session.scalars(select(Person).where(Person.full_name == "Đinh Văn Tám")).one()
    assert db.session.get(PersonStatus, tam.id).doses == 2

    page, cli = _screens(app, runner, campaign)
    assert f">{after.total.dose1}</a>" in page.split('data-figure="dose1"')[1][:300]
    line = next(l for l in cli.splitlines() if l.startswith("Tổng"))
    assert f" {after.total.dose1} " in f" {line} " and f" {after.total.people} " in f" {line} "
    _no_difference_after_rebuild(app, runner, campaign)


def test_removing_an_imported_person_and_cancelling_an_import_keep_counters_right(app, runner):
    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    clerk = as_user(app, "xa1")
    vaccination = roster_of("00001", RosterKind.VACCINATION)
    _import(clerk, vaccination, VACCINATION_CSV)
    commune = by_code("00001")
    counted = services.dashboard(campaign, commune, select(Unit.id), local_today()).total

    tam = db.session.scalars(select(Person).where(Person.full_name == "Đinh Văn Tám")).one()
    response = clerk.post(f"/rosters/{vaccination.id}/people/{tam.id}/remove", data={"confirmed": "yes"})
    assert response.status_code in (302, 303), response.text
    db.session.expire_all()
    assert db.session.get(PersonStatus, tam.id) is None
    removed = services.dashboard(campaign, commune, select(Unit.id), local_today()).total
    assert (removed.vacc_people, removed.dose1, removed.dose2) == (counted.vacc_people - 1, counted.dose1 - 1,
                                                                   counted.dose2 - 1)

    other = HEADER + "Trịnh Thị Hai Hai,1950,Nữ,,0912990022,Số 22 Phúc Xá,Khác,Nhóm 1,2\n"
    _import(clerk, vaccination, other, commit=False)
    cancelled = services.dashboard(campaign, commune, select(Unit.id), local_today()).total
    assert (cancelled.vacc_people, cancelled.dose1, cancelled.dose2) == (removed.vacc_people, removed.dose1,
                                                                         removed.dose2)
    assert db.session.scalars(select(Person).where(Person.full_name == "Trịnh Thị Hai Hai")).first() is None
    _no_difference_after_rebuild(app, runner, campaign)


def test_cli_import_counts_earlier_doses_too(app):
    from portal.rosters import imports

    campaign = campaigns.by_name(DEMO_CAMPAIGN)
    before = _counters(campaign.id)
    imports.import_file(None, roster_of("00001", RosterKind.VACCINATION), "ds.csv", VACCINATION_CSV.encode())
    db.session.commit()
    incremental = _counters(campaign.id)
    assert incremental != before
    services.rebuild_campaign(campaign.id)
    assert _counters(campaign.id) == incremental
