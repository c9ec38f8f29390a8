"""Doses at a vaccination site: next dose number, mismatch refused, scope."""
from sqlalchemy import func, select

from portal.extensions import db
from portal.rosters.models import RosterKind
from portal.sampling.models import Dose
from portal.sampling.services import next_dose_number
from tests.sampling.conftest import as_user, people_of, site_of

HX = {"HX-Request": "true"}


def test_dose_records_the_next_number_and_keeps_vaccine_and_lot(login_as):
    client = login_as("xa1")
    site, person = site_of("00001", "vaccination_site"), people_of("00001", RosterKind.VACCINATION, 1)[0]
    expected = next_dose_number(person)
    response = client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX,
                           data={"q": person.cccd, "vaccine": "AstraZeneca", "lot": "ABV5300"})
    assert response.status_code == 200, response.data
    assert f"Đã ghi mũi {expected} cho {person.full_name}".encode() in response.data
    assert b'value="ABV5300"' in response.data
    assert db.session.scalar(select(func.count()).select_from(Dose).where(Dose.person_id == person.id,
                                                                          Dose.dose_number == expected)) == 1


def test_a_dose_number_that_disagrees_with_the_record_is_refused(login_as):
    client = login_as("xa1")
    site, person = site_of("00001", "vaccination_site"), people_of("00001", RosterKind.VACCINATION, 1)[0]
    wrong = next_dose_number(person) + 1
    response = client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX,
                           data={"q": person.cccd, "vaccine": "Pfizer", "lot": "FF1", "dose_number": str(wrong)})
    assert response.status_code == 422 and "không khớp".encode() in response.data


def test_missing_vaccine_or_lot_is_refused(login_as):
    client = login_as("xa1")
    site, person = site_of("00001", "vaccination_site"), people_of("00001", RosterKind.VACCINATION, 1)[0]
    response = client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX, data={"q": person.cccd})
    assert response.status_code == 422 and "số lô".encode() in response.data


def test_vaccination_page_of_another_commune_is_not_found(login_as, app):
    site = site_of("00001", "vaccination_site")
    assert login_as("xa2").get(f"/sampling/sites/{site.id}/vaccination").status_code == 404
    own = as_user(app, "xa1")
    assert own.get(f"/sampling/sites/{site.id}/vaccination").status_code == 200


def test_dose_date_is_typed_dd_mm_yyyy_and_a_bad_one_is_refused(login_as):
    client = login_as("xa1")
    site, person = site_of("00001", "vaccination_site"), people_of("00001", RosterKind.VACCINATION, 1)[0]
    page = client.get(f"/sampling/sites/{site.id}/vaccination").text
    assert 'name="given_on"' in page and 'placeholder="dd/mm/yyyy"' in page and 'type="date"' not in page
    bad = client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX,
                      data={"q": person.cccd, "vaccine": "Pfizer", "lot": "FF1", "given_on": "31/02/2021"})
    assert bad.status_code == 422 and "Ngày phải có dạng dd/mm/yyyy".encode() in bad.data
    good = client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX,
                       data={"q": person.cccd, "vaccine": "Pfizer", "lot": "FF1", "given_on": "05/09/2021"})
    assert good.status_code == 200, good.data
    dose = db.session.scalars(select(Dose).where(Dose.person_id == person.id).order_by(Dose.id.desc())).first()
    assert dose.given_on.isoformat() == "2021-09-05"


def test_a_second_dose_for_the_same_person_on_the_same_day_is_refused(login_as):
    client = login_as("xa1")
    site, person = site_of("00001", "vaccination_site"), people_of("00001", RosterKind.VACCINATION, 1)[0]
    first_number = next_dose_number(person)
    doses = select(func.count()).select_from(Dose).where(Dose.person_id == person.id)
    before = db.session.scalar(doses)
    data = {"q": person.cccd, "vaccine": "Pfizer", "lot": "FF1"}
    assert client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX, data=data).status_code == 200
    again = client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX, data=data)
    assert again.status_code == 422
    assert f"đã được ghi mũi {first_number} hôm nay".encode() in again.data
    assert db.session.scalar(doses) == before + 1


def test_the_same_day_guard_also_holds_for_a_back_dated_day(login_as):
    client = login_as("xa1")
    site, person = site_of("00001", "vaccination_site"), people_of("00001", RosterKind.VACCINATION, 2)[1]
    data = {"q": person.cccd, "vaccine": "Pfizer", "lot": "FF1", "given_on": "05/09/2021"}
    assert client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX, data=data).status_code == 200
    again = client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX, data=data)
    assert again.status_code == 422 and "ngày 05/09/2021".encode() in again.data
    other_day = client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX, data={**data, "given_on": "06/09/2021"})
    assert other_day.status_code == 200, other_day.data


def test_recent_doses_follow_the_time_recorded_newest_first(login_as):
    from portal.sampling.services import recent_doses

    site = site_of("00001", "vaccination_site")
    rows = recent_doses(site, limit=50)
    times = [d.created_at for d in rows]
    assert len(rows) > 1 and times == sorted(times, reverse=True)
    client = login_as("xa1")
    person = people_of("00001", RosterKind.VACCINATION, 3)[2]
    client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX,
                data={"q": person.cccd, "vaccine": "Pfizer", "lot": "FF1", "given_on": "05/09/2021"})
    page = client.get(f"/sampling/sites/{site.id}/vaccination").text
    recent = page[page.index("Các mũi vừa ghi"):]
    first_row = recent[recent.index("<tbody>"):recent.index("</tr>", recent.index("<tbody>"))]
    assert person.full_name in first_row  # recorded last, though given on an old day


def test_enter_on_an_empty_line_gets_a_hint_and_records_nothing(login_as):
    client = login_as("xa1")
    site = site_of("00001", "vaccination_site")
    before = db.session.scalar(select(func.count()).select_from(Dose))
    for blank in ("", "  "):
        response = client.post(f"/sampling/sites/{site.id}/vaccination", headers=HX,
                               data={"q": blank, "vaccine": "Pfizer", "lot": "FF1"})
        assert response.status_code == 422 and "Chưa nhập gì: nhập số CCCD".encode() in response.data
    assert db.session.scalar(select(func.count()).select_from(Dose)) == before
