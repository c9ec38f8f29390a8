"""Entry, edit, removal, inline validation and search of a roster, by request."""
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.rosters import services
from portal.rosters.models import Person, RosterStatus, Zone
from tests.rosters.roster_helpers import count_people, person_data, roster_of

QR = "001085012399|123456789|Nguyễn Văn Bình|02031985|Nam|Số 5 ngõ 12, Phúc Xá, Ba Đình, Hà Nội|15082021"


def test_roster_page_full_and_fragment(login_as):
    client = login_as("xa1")
    roster = roster_of()
    page = client.get(f"/rosters/{roster.id}")
    assert page.status_code == 200 and "</html>" in page.text and "Thêm người vào danh sách" in page.text
    fragment = client.get(f"/rosters/{roster.id}?q=nguyen", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "</html>" not in fragment.text and 'id="people"' in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_add_person_cleans_and_title_cases_and_audits_without_personal_data(app, login_as):
    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    response = client.post(f"/rosters/{roster.id}/people", data=person_data())
    assert response.status_code == 303
    person = db.session.scalars(select(Person).where(Person.cccd == "001085999111")).one()
    assert (person.full_name, person.phone, person.zone, person.name_folded) == (
        "Nguyễn Văn Đức", "0912000111", Zone.LOCKDOWN, "nguyen van duc")
    assert count_people(roster) == before + 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.add")).one()
    assert "001085999111" not in event.detail and "Đức" not in event.detail


def test_add_person_htmx_returns_fresh_form_and_new_row(login_as):
    client = login_as("xa1")
    roster = roster_of()
    response = client.post(f"/rosters/{roster.id}/people", data=person_data(), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "</html>" not in response.text
    assert 'hx-swap-oob="afterbegin"' in response.text and "Nguyễn Văn Đức" in response.text


def test_add_person_bad_input_shows_vietnamese_errors_and_changes_nothing(login_as):
    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    bad = person_data(full_name="", birth="31/02/1985", sex="", cccd="12345", phone="12")
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(f"/rosters/{roster.id}/people", data=bad, headers=headers)
        assert response.status_code == 400
        for message in ("Vui lòng nhập họ và tên.", "Ngày sinh không có thật trên lịch.", "Vui lòng chọn giới tính",
                        "Số CCCD phải gồm 12 chữ số", "Số điện thoại phải gồm 10 chữ số"):
            assert message in response.text
    assert count_people(roster) == before


def test_duplicate_cccd_in_roster_and_in_another_commune_names_the_commune_only(login_as):
    client = login_as("xa1")
    roster = roster_of()
    other = db.session.scalars(select(Person).where(Person.roster_id == roster_of("00004").id,
                                                    Person.cccd.is_not(None), Person.cccd.like("001%"))).first()
    response = client.post(f"/rosters/{roster.id}/people", data=person_data(cccd=other.cccd))
    assert response.status_code == 400
    assert "Số CCCD này đã có trong danh sách của Phường Trúc Bạch." in response.text
    assert other.full_name not in response.text
    mine = db.session.scalars(select(Person).where(Person.roster_id == roster.id, Person.cccd.is_not(None))).first()
    response = client.post(f"/rosters/{roster.id}/people", data=person_data(cccd=mine.cccd))
    assert "Số CCCD này đã có trong danh sách." in response.text


def test_same_name_birth_and_phone_is_a_duplicate(login_as):
    client = login_as("xa1")
    roster = roster_of()
    assert client.post(f"/rosters/{roster.id}/people", data=person_data(cccd="")).status_code == 303
    response = client.post(f"/rosters/{roster.id}/people", data=person_data(cccd="", full_name="NGUYỄN VĂN ĐỨC"))
    assert response.status_code == 400 and "Người cùng họ tên, ngày sinh và số điện thoại" in response.text


def test_cccd_mismatch_is_saved_with_a_warning(login_as):
    client = login_as("xa1")
    roster = roster_of()
    client.post(f"/rosters/{roster.id}/people", data=person_data(sex="female", full_name="Lê Thị Hoa"))
    person = db.session.scalars(select(Person).where(Person.cccd == "001085999111")).one()
    assert "giới tính Nam" in person.warnings
    page = client.get(f"/rosters/{roster.id}?status=warning")
    assert "Lê Thị Hoa" in page.text


def test_inline_validation_returns_the_one_field(login_as):
    client = login_as("xa1")
    roster = roster_of()
    response = client.post(f"/rosters/{roster.id}/validate/phone", data={"phone": "12345"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="field-phone"' in response.text and "10 chữ số" in response.text
    assert "full_name" not in response.text
    ok = client.post(f"/rosters/{roster.id}/validate/phone", data={"phone": "0912 345 678"})
    assert "has-error" not in ok.text
    hint = client.post(f"/rosters/{roster.id}/validate/cccd", data={"cccd": "001085012345", "sex": "female", "birth": "1990"})
    assert "giới tính Nam" in hint.text and "năm sinh 1985" in hint.text
    assert client.post(f"/rosters/{roster.id}/validate/zone").status_code == 404
    assert client.post(f"/rosters/{roster.id}/validate/cccd?prefix=x'y").status_code == 404


def test_qr_scan_in_the_add_form_fills_it_without_saving(login_as):
    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    response = client.post(f"/rosters/{roster.id}/people", data={"cccd": QR, "sex": "", "zone": "other"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Đã điền thông tin từ mã QR" in response.text
    assert 'value="Nguyễn Văn Bình"' in response.text and 'value="02/03/1985"' in response.text
    assert 'value="001085012399"' in response.text
    assert count_people(roster) == before


def test_qr_scan_in_the_search_box_finds_the_person(login_as):
    client = login_as("xa1")
    roster = roster_of()
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id, Person.cccd.like("001%"))).first()
    line = f"{person.cccd}||{person.full_name}|01011990|Nam|x|01012021"
    response = client.get(f"/rosters/{roster.id}", query_string={"q": line}, headers={"HX-Request": "true"})
    assert person.full_name in response.text and "1 người" in response.text


def _add(roster, name, **kw):
    return services.add_person(None, roster, person_data(full_name=name, cccd="", phone="", **kw))


def test_search_ignores_diacritics_and_case_and_sorts_the_vietnamese_way(app):
    roster = roster_of()
    _add(roster, "Nguyễn Văn Đức", birth="1970")
    _add(roster, "Trần Đức Anh", birth="1971")
    _add(roster, "Lê Thị Dung", birth="1972", sex="female")
    for query in ("nguyen van duc", "NGUYEN VAN DUC", "đức", "duc", "Nguyễn Văn Đức", "  nguyễn   văn  "):
        names = [p.full_name for p in services.search_people(None, roster, query, per_page=500).items]
        assert "Nguyễn Văn Đức" in names, query
    duc = [p.full_name for p in services.search_people(None, roster, "duc", per_page=500).items]
    assert "Trần Đức Anh" in duc and "Lê Thị Dung" not in duc
    everyone = services.search_people(None, roster, per_page=1000).items
    from portal.text import name_sort_key
    assert [p.full_name for p in everyone] == [p.full_name for p in sorted(everyone, key=lambda p: (name_sort_key(p.full_name)))] or \
        [p.sort_key for p in everyone] == sorted(p.sort_key for p in everyone)


def test_search_by_cccd_or_phone_prefix_and_filters(app):
    roster = roster_of()
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id, Person.phone.is_not(None))).first()
    assert person in services.search_people(None, roster, person.phone[:6], per_page=500).items
    assert person in services.search_people(None, roster, "+84" + person.phone[1:]).items
    if person.cccd:
        assert person in services.search_people(None, roster, person.cccd).items
    lockdown = services.search_people(None, roster, zone="lockdown", per_page=1000)
    assert lockdown.total > 0 and all(p.zone is Zone.LOCKDOWN for p in lockdown.items)
    no_cccd = services.search_people(None, roster, status="no_cccd", per_page=1000)
    assert no_cccd.total > 0 and all(p.cccd is None for p in no_cccd.items)
    assert services.search_people(None, roster, "100%_").total == 0


def test_search_page_out_of_range_and_garbage_args_never_fail(login_as):
    client = login_as("xa1")
    roster = roster_of()
    for qs in ("page=999", "page=abc", "zone=mars", "status=<b>", "q=%1b%ff", "q=" + "a" * 5000):
        assert client.get(f"/rosters/{roster.id}?{qs}").status_code == 200, qs
    # A NUL is refused for every request (portal/security.py): a clear 400, never a 500.
    assert client.get(f"/rosters/{roster.id}?q=%00").status_code == 400


def test_people_list_is_paginated(login_as):
    client = login_as("xa1")
    roster = roster_of()
    page2 = client.get(f"/rosters/{roster.id}?page=2")
    assert "Trang 2 / 7" in page2.text


def test_edit_in_place_fragment_and_save(login_as):
    client = login_as("xa1")
    roster = roster_of()
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id)).first()
    form = client.get(f"/rosters/{roster.id}/people/{person.id}/edit", headers={"HX-Request": "true"})
    assert form.status_code == 200 and "</html>" not in form.text and f'name="e{person.id}-full_name"' in form.text
    page = client.get(f"/rosters/{roster.id}/people/{person.id}/edit")
    assert "</html>" in page.text
    data = {f"e{person.id}-{k}": v for k, v in services.person_form_data(person).items()}
    data[f"e{person.id}-address"] = "Số 99   ngõ 1 Tân Ấp"
    saved = client.post(f"/rosters/{roster.id}/people/{person.id}/edit", data=data, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and f'id="person-{person.id}"' in saved.text and "Số 99 ngõ 1 Tân Ấp" in saved.text
    db.session.refresh(person)
    assert person.address == "Số 99 ngõ 1 Tân Ấp"
    data[f"e{person.id}-birth"] = "2099"
    refused = client.post(f"/rosters/{roster.id}/people/{person.id}/edit", data=data)
    assert refused.status_code == 400 and "Năm sinh phải từ 1900" in refused.text


def _unsampled(roster):
    from portal.sampling.models import Dose, Sample

    recorded = select(Sample.person_id).union(select(Dose.person_id))
    return db.session.scalars(select(Person).where(Person.roster_id == roster.id, Person.id.not_in(recorded))).first()


def test_a_person_with_samples_cannot_be_removed(login_as):
    from portal.sampling.models import Sample

    client = login_as("xa1")
    roster = roster_of()
    sampled = db.session.scalars(select(Person).join(Sample, Sample.person_id == Person.id)
                                 .where(Person.roster_id == roster.id)).first()
    refused = client.post(f"/rosters/{roster.id}/people/{sampled.id}/remove", headers={"HX-Request": "true"})
    assert refused.status_code == 409 and "đã có mẫu xét nghiệm" in refused.text
    assert refused.headers["HX-Retarget"] == "#flash"
    assert db.session.get(Person, sampled.id) is not None


def test_remove_asks_without_javascript_and_removes_with_htmx(login_as):
    client = login_as("xa1")
    roster = roster_of()
    person = _unsampled(roster)
    ask = client.post(f"/rosters/{roster.id}/people/{person.id}/remove")
    assert ask.status_code == 200 and "Xóa khỏi danh sách?" in ask.text
    assert db.session.get(Person, person.id) is not None
    gone = client.post(f"/rosters/{roster.id}/people/{person.id}/remove", headers={"HX-Request": "true"})
    assert gone.status_code == 200 and "<tr" not in gone.text
    db.session.expire_all()
    assert db.session.get(Person, person.id) is None


def test_other_communes_roster_and_people_are_not_found(login_as):
    client = login_as("xa2")
    roster = roster_of("00001")
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id)).first()
    for method, url in [("GET", f"/rosters/{roster.id}"), ("GET", f"/rosters/{roster.id}/export.csv"),
                        ("POST", f"/rosters/{roster.id}/people"), ("GET", f"/rosters/{roster.id}/people/{person.id}/edit"),
                        ("POST", f"/rosters/{roster.id}/people/{person.id}/remove"), ("POST", f"/rosters/{roster.id}/submit"),
                        ("GET", f"/rosters/{roster.id}/import"), ("GET", f"/rosters/{roster.id}/doubtful")]:
        response = client.open(url, method=method, data=person_data())
        assert response.status_code == 404, url
        assert person.full_name not in response.text
    own = roster_of("00004")
    # a person of another roster through my own roster's URL
    assert client.get(f"/rosters/{own.id}/people/{person.id}/edit").status_code == 404


def test_others_than_health_never_see_rosters(login_as):
    client = login_as("congan")
    roster = roster_of()
    assert client.get(f"/rosters/{roster.id}").status_code == 404
    assert "Phúc Xá" not in client.get("/rosters/").text


def test_readers_without_need_see_masked_ids(app, login_as):
    roster = roster_of()
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id, Person.cccd.like("001%"))).first()
    # the steering office reads rosters without needing whole IDs (portal/privacy.py: the one rule)
    staff = login_as("vanphong").get(f"/rosters/{roster.id}", query_string={"q": person.full_name})
    assert staff.status_code == 200 and person.cccd not in staff.text and person.cccd[:4] + "*****" in staff.text
    from flask import g

    g.pop("_login_user", None)  # the test app context outlives requests: forget the cached user
    district = login_as("quan").get(f"/rosters/{roster.id}", query_string={"q": person.full_name})
    assert person.cccd in district.text


def test_locked_roster_refuses_changes(app, login_as):
    roster = roster_of()
    roster.status = RosterStatus.APPROVED
    db.session.commit()
    client = login_as("xa1")
    before = count_people(roster)
    response = client.post(f"/rosters/{roster.id}/people", data=person_data())
    assert response.status_code == 409 and "đã được phê duyệt" in response.text
    assert count_people(roster) == before
    page = client.get(f"/rosters/{roster.id}")
    assert "Thêm người vào danh sách" not in page.text and "/edit" not in page.text


def test_clerk_opens_a_new_roster(app, login_as, user_factory):
    from datetime import date

    from portal.campaigns.models import Campaign, CampaignKind
    from portal.units.services import by_code

    campaign = Campaign(name="Đợt tiêm tháng 10/2021", kind=CampaignKind.VACCINATION, unit=by_code("01"),
                        starts_on=date(2021, 10, 1), ends_on=date(2021, 10, 31))
    db.session.add(campaign)
    db.session.commit()
    client = login_as("xa1")
    listing = client.get("/rosters/")
    assert "Đợt tiêm tháng 10/2021" in listing.text
    response = client.post("/rosters/open", data={"commune_id": by_code("00001").id, "campaign_id": campaign.id,
                                                  "kind": "vaccination"})
    assert response.status_code == 303
    refused = client.post("/rosters/open", data={"commune_id": by_code("00004").id, "campaign_id": campaign.id,
                                                 "kind": "vaccination"})
    assert refused.status_code == 404
    wrong_kind = client.post("/rosters/open", data={"commune_id": by_code("00001").id, "campaign_id": campaign.id,
                                                    "kind": "testing"})
    assert wrong_kind.status_code == 409


def test_other_communes_imports_and_doubtful_rows_are_not_found(login_as):
    from portal.rosters.models import ImportBatch, ImportRow

    roster = roster_of("00001")
    batch = db.session.scalars(select(ImportBatch).where(ImportBatch.roster_id == roster.id)).first()
    row = db.session.scalars(select(ImportRow).where(ImportRow.roster_id == roster.id)).first()
    own = roster_of("00004")
    client = login_as("xa2")
    for rid in (roster.id, own.id):
        for method, url in [("GET", f"/rosters/{rid}/imports/{batch.id}"),
                            ("POST", f"/rosters/{rid}/imports/{batch.id}/commit"),
                            ("POST", f"/rosters/{rid}/imports/{batch.id}/cancel"),
                            ("GET", f"/rosters/{rid}/imports/{batch.id}/rejected.xlsx"),
                            ("GET", f"/rosters/{rid}/doubtful/{row.id}/fix"),
                            ("POST", f"/rosters/{rid}/doubtful/{row.id}/dismiss")]:
            response = client.open(url, method=method)
            assert response.status_code == 404, url
    db.session.refresh(row)
    assert row.resolved_at is None
