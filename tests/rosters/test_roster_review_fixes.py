"""Fixes from a fresh-eyes review of the roster pages: counts follow inline changes, the CCCD
mismatch shows while typing, the reviewer is addressed as such, doubtful-row errors sit on their fields."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.rosters import services
from portal.rosters.models import Person
from tests.rosters.roster_helpers import count_people, person_data, roster_of

HX = {"HX-Request": "true"}


def _oob_total(html: str) -> int:
    match = re.search(r'<dl class="facts roster-counts" id="roster-counts" hx-swap-oob="true">\s*'
                      r'<dt>Tổng số</dt><dd><strong>([\d.]+)</strong>', html)
    assert match, html[-1500:]
    return int(match.group(1).replace(".", ""))


def _oob_people_count(html: str) -> str:
    match = re.search(r'<p class="count" role="status" id="people-count" hx-swap-oob="true">([^<]*)</p>', html)
    assert match
    return match.group(1)


def test_inline_add_updates_the_counts_out_of_band(login_as):
    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    response = client.post(f"/rosters/{roster.id}/people", data=person_data(), headers=HX)
    assert response.status_code == 200
    assert _oob_total(response.text) == before + 1
    assert _oob_people_count(response.text).startswith(f"{before + 1:,}".replace(",", ".") + " người")


def test_inline_add_counts_follow_the_filter_of_the_page(login_as):
    client = login_as("xa1")
    roster = roster_of()
    headers = {**HX, "HX-Current-URL": f"http://localhost/rosters/{roster.id}?q=%C4%91%E1%BB%A9c"}
    response = client.post(f"/rosters/{roster.id}/people", data=person_data(), headers=headers)
    assert "khớp “đức”" in _oob_people_count(response.text)


def test_inline_remove_and_zone_edit_update_the_counts(login_as):
    from portal.sampling.models import Dose, Sample

    client = login_as("xa1")
    roster = roster_of()
    before = count_people(roster)
    recorded = select(Sample.person_id).union(select(Dose.person_id))
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id, Person.id.not_in(recorded))).first()
    gone = client.post(f"/rosters/{roster.id}/people/{person.id}/remove", headers=HX)
    assert gone.status_code == 200 and _oob_total(gone.text) == before - 1

    other = db.session.scalars(select(Person).where(Person.roster_id == roster.id)).first()
    data = {f"e{other.id}-{k}": v for k, v in services.person_form_data(other).items()}
    new_zone = "high_risk" if other.zone.value != "high_risk" else "lockdown"
    data[f"e{other.id}-zone"] = new_zone
    saved = client.post(f"/rosters/{roster.id}/people/{other.id}/edit", data=data, headers=HX)
    assert saved.status_code == 200 and f'id="person-{other.id}"' in saved.text
    counts = services.roster_counts(roster)
    oob = saved.text.split('id="roster-counts"')[1]
    for zone, n in counts["by_zone"].items():
        assert f"<dt>{zone.label}</dt><dd>{n}</dd>" in oob


MISMATCH = {"cccd": "001085123456", "sex": "female", "birth": "1990", "full_name": "Trần Thị Hoa"}


def test_live_cccd_check_warns_of_a_sex_and_year_mismatch(login_as):
    client = login_as("xa1")
    roster = roster_of()
    response = client.post(f"/rosters/{roster.id}/validate/cccd", data=MISMATCH, headers=HX)
    assert response.status_code == 200
    assert 'class="field-warning"' in response.text
    assert "Số CCCD ghi giới tính Nam, khác với giới tính đã nhập (Nữ)." in response.text
    assert "Số CCCD ghi năm sinh 1985" in response.text
    assert "Có thể quét mã QR trên thẻ CCCD" in response.text  # the help stays


def test_typing_the_birth_or_sex_after_the_cccd_rechecks_the_cccd_out_of_band(login_as):
    client = login_as("xa1")
    roster = roster_of()
    for field in ("birth", "sex"):
        response = client.post(f"/rosters/{roster.id}/validate/{field}", data=MISMATCH, headers=HX)
        assert f'id="field-{field}"' in response.text
        assert '<div class="field" id="field-cccd" hx-swap-oob="true">' in response.text
        assert "Số CCCD ghi năm sinh 1985, khác với năm sinh đã nhập (1990)." in response.text
    matching = client.post(f"/rosters/{roster.id}/validate/birth", data={**MISMATCH, "sex": "male", "birth": "1985"},
                           headers=HX)
    assert 'id="field-cccd" hx-swap-oob="true"' in matching.text and "field-warning" not in matching.text


def test_live_validation_keeps_the_help_under_the_birth_field(login_as):
    client = login_as("xa1")
    roster = roster_of()
    response = client.post(f"/rosters/{roster.id}/validate/birth", data={"birth": "05/09/1990"}, headers=HX)
    assert "dd/mm/yyyy hoặc năm sinh" in response.text
    bad = client.post(f"/rosters/{roster.id}/validate/birth", data={"birth": "31/02/1990"}, headers=HX)
    assert 'class="error"' in bad.text and "dd/mm/yyyy hoặc năm sinh" not in bad.text


def test_the_reviewer_is_addressed_as_the_reviewer(login_as):
    from portal.rosters.models import RosterStatus

    roster = roster_of()
    clerk = login_as("xa1")
    assert clerk.post(f"/rosters/{roster.id}/submit").status_code in (302, 303)
    db.session.refresh(roster)
    assert roster.status is RosterStatus.SUBMITTED
    assert "chờ cấp trên duyệt" in clerk.get(f"/rosters/{roster.id}").text
    reviewer = login_as("quan")
    page = reviewer.get(f"/rosters/{roster.id}").text
    assert "Danh sách đang chờ bạn duyệt" in page and "chờ cấp trên duyệt" not in page


def test_a_doubtful_row_shows_its_error_on_the_field(login_as):
    from portal.rosters import imports

    client = login_as("xa1")
    roster = roster_of()
    row = next(r for r in imports.doubtful_rows(roster) if "Lê Minh Đức" in r.raw)
    page = client.get(f"/rosters/{roster.id}/doubtful/{row.id}/fix").text
    field = page.split('id="field-phone"')[0].rsplit("<div", 1)[1] + page.split('id="field-phone"')[1].split("</div>")[0]
    assert "has-error" in field and "Số điện thoại phải gồm 10 chữ số" in field
    assert '<ul class="reasons">' not in page
    assert 'aria-invalid="true"' in field
