"""A person's page: identity (masked by the least-data rule), roster, samples, doses, history;
every full-page reading is in the audit log; another unit's person is not found."""
from flask import g
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.rosters.models import Person, Roster, RosterKind
from portal.sampling.models import Dose, Sample
from portal.units.services import by_code
from tests.figures import count
from tests.rosters.roster_helpers import person_data, roster_of


def _sampled(code: str = "00001") -> Person:
    """A person of the commune's testing roster with at least one sample (demo data)."""
    return db.session.scalars(select(Person).join(Sample, Sample.person_id == Person.id).where(
        Person.unit_id == by_code(code).id, Person.cccd.is_not(None), Person.phone.is_not(None))
        .order_by(Person.id).limit(1)).one()


def _vaccinated(code: str = "00001") -> Person:
    return db.session.scalars(select(Person).join(Dose, Dose.person_id == Person.id).where(
        Person.unit_id == by_code(code).id).order_by(Person.id).limit(1)).one()


def _url(person: Person) -> str:
    return f"/rosters/{person.roster_id}/people/{person.id}"


def _views(person: Person) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "person.view", AuditEvent.object_type == "person",
        AuditEvent.object_id == str(person.id))))


def _as(client, username: str):
    from tests.conftest import log_in

    g.pop("_login_user", None)  # the test app context outlives requests: forget the cached user
    log_in(client, username)
    return client


def test_the_clerk_sees_the_whole_record_and_the_reading_is_audited(login_as):
    person = _sampled()
    samples = db.session.scalars(select(Sample).where(Sample.person_id == person.id)).all()
    response = login_as("xa1").get(_url(person))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "</html>" in text
    assert "HX-Request" in response.headers["Vary"]
    assert "no-store" in response.headers["Cache-Control"]
    assert person.full_name in text and person.cccd in text and person.phone in text
    for label in ("Thông tin cá nhân", "Số CCCD", "Số điện thoại", "Khu vực", "Mẫu xét nghiệm", "Lịch sử trong danh sách",
                  "Phường Phúc Xá", "Lấy mẫu xét nghiệm"):
        assert label in text, label
    assert samples and all(s.result.label in text for s in samples)
    views = _views(person)
    assert len(views) == 1
    view = views[0]
    assert (view.unit_id, view.actor.username) == (person.unit_id, "xa1")
    assert view.detail_dict == {"roster": person.roster_id}
    for secret in (person.full_name, person.cccd, person.phone, person.address):
        assert not secret or secret not in view.detail


def test_doses_show_vaccine_lot_and_number(login_as):
    person = _vaccinated()
    dose = db.session.scalars(select(Dose).where(Dose.person_id == person.id)).first()
    text = login_as("xa1").get(_url(person)).get_data(as_text=True)
    assert "Mũi tiêm" in text and dose.vaccine in text and dose.lot in text and "Nhóm ưu tiên" in text


def test_identity_is_masked_for_readers_without_need(client):
    person = _sampled()
    masked = person.cccd[:4] + "*****" + person.cccd[-3:]
    for username in ("vanphong", "thuky", "admin"):
        text = _as(client, username).get(_url(person)).get_data(as_text=True)
        assert person.cccd not in text and masked in text, username
        assert person.phone not in text and person.phone[:4] + "*****" in text, username
    for username in ("quan", "soyte", "chuyenvien"):
        text = _as(client, username).get(_url(person)).get_data(as_text=True)
        assert person.cccd in text and person.phone in text, username


def test_another_units_person_is_not_found_and_nothing_is_audited(client):
    person = _sampled()
    other_roster = roster_of("00001", RosterKind.VACCINATION)
    foreign = _sampled("00004")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.view"))
    stranger = _as(client, "xa2")
    for url in (_url(person), f"/rosters/{foreign.roster_id}/people/{person.id}"):
        response = stranger.get(url)
        count("foreign_id_requests")
        assert response.status_code == 404, url
        text = response.get_data(as_text=True)
        assert person.full_name not in text and person.cccd not in text
    clerk = _as(client, "xa1")
    # a person through another roster's URL, even one of the same commune
    assert clerk.get(f"/rosters/{other_roster.id}/people/{person.id}").status_code == 404
    assert clerk.get(f"/rosters/{foreign.roster_id}/people/{foreign.id}").status_code == 404
    assert _as(client, "congan").get(_url(person)).status_code in (403, 404)
    db.session.rollback()
    after = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.view"))
    assert after == before


def test_htmx_cancel_still_gets_the_row_and_is_not_a_page_view(login_as):
    person = _sampled()
    response = login_as("xa1").get(_url(person), headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "</html>" not in text and f'id="person-{person.id}"' in text
    assert "HX-Request" in response.headers["Vary"]
    assert _views(person) == []


def test_history_shows_the_changes_of_the_person(login_as):
    client = login_as("xa1")
    roster = roster_of()
    assert client.post(f"/rosters/{roster.id}/people", data=person_data()).status_code == 303
    person = db.session.scalars(select(Person).where(Person.cccd == "001085999111")).one()
    edit = {f"e{person.id}-{k}": v for k, v in person_data(address="Số 9 Hàng Bún").items()}
    assert client.post(f"/rosters/{roster.id}/people/{person.id}/edit", data=edit).status_code == 303
    text = client.get(_url(person)).get_data(as_text=True)
    assert "Thêm vào danh sách" in text and "Sửa thông tin" in text and "Đã sửa: Địa chỉ" in text
    assert "Chưa có mẫu nào." in text


def test_pages_link_to_the_person(login_as):
    person = _sampled()
    client = login_as("xa1")
    link = f'href="{_url(person)}"'
    assert link in client.get(f"/rosters/{person.roster_id}", query_string={"q": person.full_name}).get_data(as_text=True)
    roster = db.session.get(Roster, person.roster_id)
    coverage = client.get("/coverage/people", query_string={"campaign": roster.campaign_id, "unit": person.unit_id,
                                                            "metric": "people"}).get_data(as_text=True)
    assert 'href="/rosters/' in coverage and "/people/" in coverage
    sample = db.session.scalars(select(Sample).order_by(Sample.id.desc())
                                .where(Sample.unit_id == person.unit_id).limit(1)).one()
    point = client.get(f"/sampling/sites/{sample.site_id}").get_data(as_text=True)
    assert f'href="/rosters/{sample.person.roster_id}/people/{sample.person_id}"' in point


def test_coverage_people_list_masks_for_the_steering_office(login_as):
    person = _sampled()
    roster = db.session.get(Roster, person.roster_id)
    text = login_as("vanphong").get("/coverage/people", query_string={
        "campaign": roster.campaign_id, "unit": person.unit_id, "metric": "people"}).get_data(as_text=True)
    assert "*****" in text and person.cccd not in text


def test_the_audit_page_filters_by_the_person(client):
    person = _sampled()
    _as(client, "xa1").get(_url(person))
    admin = _as(client, "admin")
    text = admin.get("/admin/audit", query_string={"object": "person", "object_id": person.id}).get_data(as_text=True)
    assert "Xem hồ sơ người dân" in text and "xa1" in text and f"#{person.id}" in text
    page = admin.get(_url(person)).get_data(as_text=True)
    assert f"/admin/audit?object=person&amp;object_id={person.id}" in page
