"""The sampling point: one request per sample, pooled tubes, undo, bad input, scope."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.coverage.models import PersonStatus
from portal.extensions import db
from portal.sampling import services
from portal.sampling.models import Result, Sample, Tube, TubeStatus
from tests.sampling.conftest import people_of, site_of

HX = {"HX-Request": "true"}


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _post(client, site, **data):
    return client.post(f"/sampling/sites/{site.id}/record", data=data, headers=HX)


def test_point_page_and_fragment(login_as, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    page = client.get(f"/sampling/sites/{site.id}")
    assert page.status_code == 200 and b"</html>" in page.data and "Số CCCD".encode() in page.data
    fragment = client.get(f"/sampling/sites/{site.id}", headers=HX)
    assert fragment.status_code == 200 and b"</html>" not in fragment.data
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_cccd_and_enter_records_one_single_sample_in_the_current_round(login_as, today_round):
    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    before = _count(Sample, Sample.person_id == person.id)
    response = _post(client, site, q=person.cccd)
    assert response.status_code == 200, response.data
    assert f"Đã lấy mẫu {person.full_name}, đợt {today_round.number}".encode() in response.data
    assert b"</html>" not in response.data
    sample = db.session.scalars(select(Sample).where(Sample.person_id == person.id).order_by(Sample.id.desc())).first()
    assert _count(Sample, Sample.person_id == person.id) == before + 1
    assert sample.round_number == today_round.number and not sample.pooled
    assert sample.tube.code.startswith("XN") and sample.tube.lab_unit_id is not None
    assert db.session.get(PersonStatus, person.id).pending >= 1
    assert _count(AuditEvent, AuditEvent.action == "sample.record") == 1


def test_without_htmx_the_same_post_returns_the_full_page(login_as, today_round):
    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    response = client.post(f"/sampling/sites/{site.id}/record", data={"q": person.cccd})
    assert response.status_code == 200 and b"</html>" in response.data


def test_name_without_diacritics_lists_candidates_then_person_id_records(login_as, today_round):
    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    family = person.full_name.split(" ")[0]
    from portal.text import fold

    response = _post(client, site, q=fold(family))
    assert response.status_code == 200
    if "chọn một người".encode() in response.data:
        response = _post(client, site, person_id=str(person.id))
    assert "Đã lấy mẫu".encode() in response.data


def test_double_enter_is_refused_within_a_minute(login_as, today_round):
    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    assert _post(client, site, q=person.cccd).status_code == 200
    again = _post(client, site, q=person.cccd)
    assert again.status_code == 422 and "vừa được lấy mẫu".encode() in again.data


def test_pooled_tube_opens_takes_people_and_closes(login_as, today_round, app):
    client = login_as("xa1")
    site = site_of("00001")
    people = people_of("00001", n=3)
    assert "Đã mở ống gộp G-TEST-1".encode() in _post(client, site, q="+g-test-1").data
    for person in people:
        assert "ống gộp G-TEST-1".encode() in _post(client, site, q=person.cccd).data
    tube = db.session.scalars(select(Tube).where(Tube.code == "G-TEST-1")).one()
    assert tube.pooled and tube.size == 3 and tube.status is TubeStatus.OPEN
    assert "Đã đóng ống gộp G-TEST-1 (3 người)".encode() in _post(client, site, q="-").data
    db.session.refresh(tube)
    assert tube.status is TubeStatus.CLOSED


def test_pool_closes_itself_at_its_configured_size(app, login_as, today_round):
    app.config["POOL_SIZE"] = 2
    client = login_as("xa1")
    site = site_of("00001")
    people = people_of("00001", n=3)
    _post(client, site, pool_code="P2")
    _post(client, site, q=people[0].cccd)
    response = _post(client, site, q=people[1].cccd)
    assert "Ống đã đủ, đã đóng".encode() in response.data
    third = _post(client, site, q=people[2].cccd)
    assert "ống XN".encode() in third.data  # back to single samples


def test_pool_code_reused_or_second_open_pool_is_refused(login_as, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    _post(client, site, q="+G1")
    assert _post(client, site, q="+G2").status_code == 422
    _post(client, site, q="-")
    refused = _post(client, site, q="+G1")
    # G1 was empty and so dropped on close: the code is free again
    assert refused.status_code == 200


def test_undo_within_a_minute_removes_the_sample_and_its_counts(login_as, today_round):
    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    before = db.session.get(PersonStatus, person.id)
    before = (before.rounds, before.pending) if before else (0, 0)
    _post(client, site, q=person.cccd)
    response = client.post(f"/sampling/sites/{site.id}/undo", headers=HX)
    assert response.status_code == 200 and "Đã hoàn tác".encode() in response.data
    db.session.expire_all()
    after = db.session.get(PersonStatus, person.id)
    assert (after.rounds, after.pending) == before
    assert client.post(f"/sampling/sites/{site.id}/undo", headers=HX).status_code == 422


def test_undo_after_a_minute_is_refused(app, today_round):
    from sqlalchemy import select as sel

    from portal.auth.models import User
    from portal.timeutil import utcnow

    user = db.session.scalars(sel(User).where(User.username == "xa1")).one()
    site, person = site_of("00001"), people_of("00001")[0]
    now = utcnow()
    services.record_sample(user, site, person, now=now)
    with pytest.raises(services.SamplingError):
        services.undo_last(user, site, now=now + timedelta(seconds=61))


def test_unknown_person_offers_the_new_person_form(login_as, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    response = _post(client, site, q="999999999999")
    assert response.status_code == 422 and "Thêm người mới".encode() in response.data


def test_empty_line_and_a_bad_qr_get_messages(login_as, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    for blank in ("", "   "):
        empty = _post(client, site, q=blank)
        assert empty.status_code == 422 and "Chưa nhập gì: nhập số CCCD".encode() in empty.data
        assert b'role="alert"' in empty.data
    bad = _post(client, site, q="abc|def")
    assert bad.status_code == 422 and "QR".encode() in bad.data


def test_qr_scan_of_a_person_on_the_roster_records_the_sample(login_as, today_round):
    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    line = f"{person.cccd}||{person.full_name}|01011980|{person.sex.label}|Hà Nội|15082021"
    response = _post(client, site, q=line)
    assert "Đã lấy mẫu".encode() in response.data


def test_qr_scan_of_a_stranger_fills_the_new_person_form(login_as, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    line = "001085012345|123456789|Nguyễn Văn An|02031985|Nam|Số 5 ngõ 12, Phúc Xá, Ba Đình, Hà Nội|15082021"
    response = _post(client, site, q=line)
    assert response.status_code == 200
    assert 'value="Nguyễn Văn An"'.encode() in response.data and b"02/03/1985" in response.data


def test_the_fresh_demo_lets_xa1_record_a_sample_and_a_dose_today(login_as):
    """No fixture adds a round: the demo itself has one around the day it was loaded."""
    from portal.rosters.models import RosterKind

    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    response = _post(client, site, q=person.cccd)
    assert response.status_code == 200 and "Đã lấy mẫu".encode() in response.data and "đợt 4".encode() in response.data
    vacc, vperson = site_of("00001", "vaccination_site"), people_of("00001", RosterKind.VACCINATION, 1)[0]
    dose = client.post(f"/sampling/sites/{vacc.id}/vaccination", headers=HX,
                       data={"q": vperson.cccd, "vaccine": "Pfizer", "lot": "FF1"})
    assert dose.status_code == 200 and "Đã ghi mũi".encode() in dose.data


def test_a_day_outside_every_round_is_refused(login_as, today_round):
    db.session.delete(today_round)
    db.session.commit()
    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    response = _post(client, site, q=person.cccd)
    assert response.status_code == 422 and "không thuộc đợt lấy mẫu nào".encode() in response.data


def test_another_communes_point_is_not_found(login_as, today_round):
    client = login_as("xa2")
    site = site_of("00001")
    assert client.get(f"/sampling/sites/{site.id}").status_code == 404
    assert _post(client, site, q="x").status_code == 404


def test_a_person_of_another_commune_cannot_be_sampled_by_id(login_as, today_round):
    client = login_as("xa1")
    site, stranger = site_of("00001"), people_of("00004")[0]
    response = _post(client, site, person_id=str(stranger.id))
    assert response.status_code == 422
    assert _count(Sample, Sample.person_id == stranger.id, Sample.site_id == site.id) == 0


def test_lab_technician_may_not_record_samples(login_as, today_round):
    assert login_as("xetnghiem").get(f"/sampling/sites/{site_of('00001').id}").status_code == 403


def test_recent_samples_are_listed_newest_first(login_as, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    a, b = people_of("00001", n=2)
    _post(client, site, q=a.cccd)
    _post(client, site, q=b.cccd)
    text = client.get(f"/sampling/sites/{site.id}").text
    assert text.index(b.full_name, text.index("Các mẫu vừa lấy")) < text.index(a.full_name, text.index("Các mẫu vừa lấy"))
    assert services.recent_samples(site)[0].result is Result.PENDING


def test_htmx_recording_answers_with_the_entry_and_the_new_row_only(login_as, today_round):
    """The last samples on screen stay; the new one goes on top (out of band), the entry line is
    replaced (HX-Retarget), and nothing else is read again. Without htmx: the whole page."""
    client = login_as("xa1")
    site = site_of("00001")
    a, b = people_of("00001", n=2)
    _post(client, site, q=a.cccd)
    response = _post(client, site, q=b.cccd)
    assert response.status_code == 200 and b"</html>" not in response.data
    assert response.headers["HX-Retarget"] == "#point-entry" and response.headers["HX-Reswap"] == "outerHTML"
    assert "HX-Request" in response.headers.get("Vary", "")
    text = response.text
    assert 'id="point-entry"' in text and f"Đã lấy mẫu {b.full_name}" in text and 'autofocus' in text
    row = text[text.index('hx-swap-oob="afterbegin:#recent-samples"'):]
    assert b.full_name in row and a.full_name not in text and "Các mẫu vừa lấy" not in text
    page = client.post(f"/sampling/sites/{site.id}/record", data={"q": people_of("00001", n=3)[2].cccd})
    assert page.status_code == 200 and b"</html>" in page.data and "HX-Retarget" not in page.headers
    assert b.full_name in page.text[page.text.index("Các mẫu vừa lấy"):]


def test_a_stranger_is_added_through_the_roster_rules_and_sampled_in_one_request(login_as, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    data = {"full_name": "nguyễn  văn an", "birth": "02/03/1985", "sex": "Nam", "cccd": "001085012345",
            "phone": "", "address": "Số 5 ngõ 12", "zone": "lockdown"}
    response = client.post(f"/sampling/sites/{site.id}/people", data=data, headers=HX)
    assert response.status_code == 200, response.data
    assert "Đã lấy mẫu Nguyễn Văn An".encode() in response.data
    from portal.rosters.models import Person

    person = db.session.scalars(select(Person).where(Person.cccd == "001085012345")).one()
    assert person.unit_id == site.unit_id and person.zone.value == "lockdown"
    assert _count(Sample, Sample.person_id == person.id) == 1


def test_a_stranger_with_bad_data_gets_the_roster_messages_and_nothing_is_written(login_as, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    data = {"full_name": "An", "birth": "32/13/1985", "sex": "Nam", "cccd": "12345", "zone": "other"}
    before = _count(Sample)
    response = client.post(f"/sampling/sites/{site.id}/people", data=data, headers=HX)
    assert response.status_code == 422
    assert "CCCD".encode() in response.data
    assert _count(Sample) == before


def test_more_namesakes_than_listed_says_so_and_asks_for_more_letters(login_as, today_round):
    from portal.rosters.models import Person, RosterKind

    client = login_as("xa1")
    site = site_of("00001")
    roster_id = services.roster_id_of(site, RosterKind.TESTING)
    nguyen = _count(Person, Person.roster_id == roster_id, Person.name_folded.contains("nguyen"))
    assert nguyen > services.CANDIDATES  # the demo commune has many Nguyễn
    text = _post(client, site, q="nguyen").text
    assert text.count('class="candidate"') == services.CANDIDATES
    assert f"Có hơn {services.CANDIDATES} người khớp “nguyen”" in text and "gõ thêm chữ" in text
    person = people_of("00001")[0]
    few = _post(client, site, q=person.name_folded).text
    assert "Có hơn" not in few and ("Đã lấy mẫu" in few or "chọn một người" in few)


def test_undo_after_closing_a_pool_keeps_the_tube_closed_and_the_next_scan_out_of_it(login_as, today_round):
    client = login_as("xa1")
    site = site_of("00001")
    a, b, c = people_of("00001", n=3)
    _post(client, site, q="+G777")
    _post(client, site, q=a.cccd)
    _post(client, site, q=b.cccd)
    assert "Đã đóng ống gộp G777 (2 người)".encode() in _post(client, site, q="-").data
    undone = client.post(f"/sampling/sites/{site.id}/undo", headers=HX)
    assert undone.status_code == 200
    assert "Ống gộp G777 vẫn đóng, còn 1 người".encode() in undone.data
    assert "Ống gộp G777:".encode() not in undone.data  # no open-pool badge
    tube = db.session.scalars(select(Tube).where(Tube.code == "G777")).one()
    db.session.refresh(tube)
    assert tube.status is TubeStatus.CLOSED and tube.size == 1
    nxt = _post(client, site, q=c.cccd)
    assert "ống XN".encode() in nxt.data and "G777".encode() not in nxt.data.split("Các mẫu vừa lấy".encode())[0]
    assert _count(Sample, Sample.tube_id == tube.id) == 1


def test_undo_of_the_only_sample_of_a_closed_pool_drops_the_tube(login_as, today_round):
    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    _post(client, site, q="+G778")
    _post(client, site, q=person.cccd)
    _post(client, site, q="-")
    undone = client.post(f"/sampling/sites/{site.id}/undo", headers=HX)
    assert "Ống gộp G778 không còn mẫu nào nên đã được hủy".encode() in undone.data
    assert _count(Tube, Tube.code == "G778") == 0


def test_undo_in_an_open_pool_keeps_it_open(login_as, today_round):
    client = login_as("xa1")
    site, person = site_of("00001"), people_of("00001")[0]
    _post(client, site, q="+G779")
    _post(client, site, q=person.cccd)
    undone = client.post(f"/sampling/sites/{site.id}/undo", headers=HX)
    assert "Ống gộp G779 vẫn mở (0/10)".encode() in undone.data
    assert db.session.scalars(select(Tube).where(Tube.code == "G779")).one().status is TubeStatus.OPEN


def test_recent_samples_follow_the_time_taken_not_the_id(login_as, today_round):
    from portal.timeutil import utcnow

    site = site_of("00001")
    rows = services.recent_samples(site, limit=50)
    times = [s.taken_at for s in rows]
    assert times == sorted(times, reverse=True)
    # a sample written later (bigger id) but taken earlier goes below
    from portal.auth.models import User

    a, b = people_of("00001", n=2)

    clerk = db.session.scalars(select(User).where(User.username == "xa1")).one()
    now = utcnow()
    services.record_sample(clerk, site, a, now=now)
    services.record_sample(clerk, site, b, now=now - timedelta(minutes=5))
    db.session.commit()
    names = [s.person.full_name for s in services.recent_samples(site)]
    assert names.index(a.full_name) < names.index(b.full_name)
