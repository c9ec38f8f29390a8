"""Workflow (draft → submitted → approved / returned → resubmitted; reopen) and exports."""
import csv
import io

from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.rosters import services
from portal.rosters.exports import neutralise
from portal.rosters.models import Person, RosterStatus
from tests.rosters.roster_helpers import count_people, person_data, roster_of


def events(action: str, roster) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_type == "roster", AuditEvent.object_id == str(roster.id)))


def switch(login_as, username):
    from flask import g

    g.pop("_login_user", None)  # the test app context outlives requests: forget the cached user
    return login_as(username)


def test_full_workflow_with_timeline(app, login_as):
    roster = roster_of()
    clerk = switch(login_as, "xa1")
    assert clerk.post(f"/rosters/{roster.id}/submit").status_code == 303
    db.session.refresh(roster)
    assert roster.status is RosterStatus.SUBMITTED
    # the clerk can no longer change it, nor review it
    assert clerk.post(f"/rosters/{roster.id}/people", data=person_data()).status_code == 409
    assert clerk.post(f"/rosters/{roster.id}/review", data={"decision": "approve"}).status_code == 403

    officer = switch(login_as, "quan")
    no_reason = officer.post(f"/rosters/{roster.id}/review", data={"decision": "return", "reason": "  "})
    assert no_reason.status_code == 409 and "Vui lòng ghi lý do." in no_reason.text
    returned = officer.post(f"/rosters/{roster.id}/review", data={"decision": "return", "reason": "Thiếu tổ 7"})
    assert returned.status_code == 303
    db.session.refresh(roster)
    assert roster.status is RosterStatus.RETURNED and roster.return_reason == "Thiếu tổ 7"

    clerk = switch(login_as, "xa1")
    page = clerk.get(f"/rosters/{roster.id}")
    assert "Thiếu tổ 7" in page.text and "Gửi duyệt lại" in page.text
    assert clerk.post(f"/rosters/{roster.id}/people", data=person_data()).status_code == 303
    assert clerk.post(f"/rosters/{roster.id}/submit").status_code == 303

    officer = switch(login_as, "quan")
    assert officer.post(f"/rosters/{roster.id}/review", data={"decision": "approve"}).status_code == 303
    db.session.refresh(roster)
    assert roster.status is RosterStatus.APPROVED

    clerk = switch(login_as, "xa1")
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id)).first()
    assert clerk.post(f"/rosters/{roster.id}/people/{person.id}/remove", headers={"HX-Request": "true"}).status_code == 409
    assert clerk.post(f"/rosters/{roster.id}/submit").status_code == 409
    page = clerk.get(f"/rosters/{roster.id}")
    assert "bị khóa" in page.text and "Thêm người vào danh sách" not in page.text
    for label in ("Gửi duyệt", "Trả lại", "Phê duyệt"):
        assert label in page.text  # the timeline

    officer = switch(login_as, "quan")
    reopened = officer.post(f"/rosters/{roster.id}/review", data={"decision": "reopen", "reason": "Bổ sung người mới chuyển đến"})
    assert reopened.status_code == 303
    db.session.refresh(roster)
    assert roster.status is RosterStatus.DRAFT and events("roster.reopen", roster) == 1
    assert events("roster.submit", roster) == 2 and events("roster.return", roster) == 1 and events("roster.approve", roster) == 1


def test_double_submit_changes_once(login_as):
    roster = roster_of()
    client = login_as("xa1")
    first = client.post(f"/rosters/{roster.id}/submit")
    second = client.post(f"/rosters/{roster.id}/submit")
    assert first.status_code == 303 and second.status_code == 409
    assert "đã được gửi duyệt" in second.text
    assert events("roster.submit", roster) == 1


def test_empty_roster_cannot_be_submitted(app):
    from datetime import date

    from portal.campaigns.models import Campaign, CampaignKind
    from portal.rosters.models import RosterKind
    from portal.units.services import by_code

    campaign = Campaign(name="Chiến dịch trống", kind=CampaignKind.TESTING, unit=by_code("01"),
                        starts_on=date(2021, 10, 1), ends_on=date(2021, 10, 31))
    db.session.add(campaign)
    db.session.flush()
    roster = services.get_or_create_roster(None, by_code("00001"), campaign, RosterKind.TESTING)
    try:
        services.submit_roster(None, roster)
    except services.RosterError as exc:
        assert "chưa có người nào" in str(exc)
    else:
        raise AssertionError("submitted an empty roster")


def test_health_department_reviews_only_where_there_is_no_district(app, login_as, unit_factory):
    from portal.units.models import UnitKind

    roster = roster_of("00006")  # submitted in the demo, commune of Quận Ba Đình
    client = login_as("soyte")
    refused = client.post(f"/rosters/{roster.id}/review", data={"decision": "approve"})
    assert refused.status_code == 409 and "do quận/huyện duyệt" in refused.text
    db.session.refresh(roster)
    assert roster.status is RosterStatus.SUBMITTED
    # a commune directly under the province (the 2025 two-level structure)
    commune = unit_factory("26881", "Phường Ba Đình", UnitKind.COMMUNE, "01")
    from portal.campaigns.models import Campaign
    from portal.rosters.models import RosterKind

    campaign = db.session.scalars(select(Campaign)).first()
    direct = services.get_or_create_roster(None, commune, campaign, RosterKind.TESTING)
    services.add_person(None, direct, person_data(cccd=""))
    services.submit_roster(None, direct)
    db.session.commit()
    assert client.post(f"/rosters/{direct.id}/review", data={"decision": "approve"}).status_code == 303
    db.session.refresh(direct)
    assert direct.status is RosterStatus.APPROVED


def test_other_district_cannot_review(app, login_as, user_factory):
    from portal.auth.models import Role

    user_factory("hoankiem", [(Role.DISTRICT_OFFICER, "002")])
    roster = roster_of("00006")
    client = login_as("hoankiem")
    assert client.post(f"/rosters/{roster.id}/review", data={"decision": "approve"}).status_code == 404
    assert client.get(f"/rosters/{roster.id}").status_code == 404


def test_district_lists_rosters_waiting(login_as):
    page = login_as("quan").get("/rosters/?status=submitted")
    assert "Phường Vĩnh Phúc" in page.text and "Phường Hàng Mã" not in page.text


def test_neutralise_formula_starts():
    for value in ("=1+2", "+84912", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(value).startswith("'")
    assert neutralise("Nguyễn Văn An") == "Nguyễn Văn An" and neutralise(None) == ""


def test_exports_neutralise_formulas_and_are_audited(app, login_as):
    roster = roster_of()
    services.add_person(None, roster, person_data(cccd="", address="=HYPERLINK(\"http://x\",\"y\")"))
    services.add_person(None, roster, person_data(cccd="", phone="", full_name="Lê Văn Tí", address="@SUM(1)"))
    db.session.commit()
    client = login_as("xa1")
    response = client.get(f"/rosters/{roster.id}/export.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][1] == "Họ và tên" and len(rows) == 1 + count_people(roster)
    cells = [c for r in rows for c in r]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'@SUM(1)" in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    xlsx = client.get(f"/rosters/{roster.id}/export.xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.data)).get_sheet_by_index(0).to_python()
    values = [c for r in sheet for c in r if isinstance(c, str)]
    assert "'@SUM(1)" in values and not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert events("roster.export", roster) == 2


def test_export_refused_to_roles_without_need_and_other_communes(login_as):
    roster = roster_of()
    assert login_as("chuyenvien").get(f"/rosters/{roster.id}/export.csv").status_code == 403
    from flask import g

    g.pop("_login_user", None)
    assert login_as("xa2").get(f"/rosters/{roster.id}/export.csv").status_code == 404
    assert events("roster.export", roster) == 0
