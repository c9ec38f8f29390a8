"""Issuing uses up a register number for good: it takes a ticked confirmation that names the
number (no JavaScript needed, CSRF-protected); a draft stays one click."""
import html
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.reports.models import IssuedReport, ReportJob, ReportRegister
from tests.conftest import log_in
from tests.reports.report_helpers import make_roster


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "REPORT_JOBS": "inline"}


def _fields(page: str) -> dict:
    """The hidden fields of the preview's action form, as a browser would send them."""
    form = re.search(r'<form method="post"[^>]*class="report-actions">(.*?)</form>', page, re.S).group(1)
    return {name: html.unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def _post(client, data):
    response = client.post("/reports/roster/jobs", data=data)
    response.close()
    return response


def _counts():
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (ReportJob, IssuedReport, ReportRegister))


def test_issue_needs_the_ticked_confirmation_naming_the_number_and_a_draft_does_not(app):
    roster = make_roster("00001", 5)
    client = app.test_client()
    log_in(client, "thuky")
    preview = client.get("/reports/roster/preview", query_string={
        "roster_id": roster.id, "site_id": "", "signed_on": "05/09/2021", "signer_position": "Phó Giám đốc",
        "drafting_unit": "NVY", "recipients": "Bộ Y tế"})
    assert preview.status_code == 200
    page = preview.text
    assert "Tôi xác nhận cấp số 01/BC-SYT cho báo cáo này" in page
    assert 'type="checkbox" name="confirm_issue" value="y" required' in page
    assert 'name="draft" value="1" formnovalidate' in page  # the box never blocks a draft
    data = _fields(page)
    assert "confirm_issue" not in data and data["csrf_token"]
    before = _counts()

    # The issue button alone: refused in Vietnamese, the preview shown again, nothing recorded.
    refused = _post(client, {**data, "issue": "1"})
    assert refused.status_code == 422
    assert "Vui lòng đánh dấu ô xác nhận cấp số trước khi phát hành." in refused.text
    assert "Tôi xác nhận cấp số 01/BC-SYT cho báo cáo này" in refused.text and "<iframe" in refused.text
    assert _counts() == before
    # A forged request (no CSRF token) is refused even with the box ticked.
    forged = _post(client, {**{k: v for k, v in data.items() if k != "csrf_token"}, "issue": "1", "confirm_issue": "y"})
    assert forged.status_code == 400 and _counts() == before

    # A draft: one click, no number.
    draft = _post(client, {**data, "draft": "1"})
    assert draft.status_code == 303
    assert db.session.scalars(select(ReportJob).order_by(ReportJob.id.desc())).first().issued_report_id is None

    # Ticked: the number named is the number taken; the next preview names the next one.
    issued = _post(client, {**data, "issue": "1", "confirm_issue": "y"})
    assert issued.status_code == 303
    job = db.session.scalars(select(ReportJob).order_by(ReportJob.id.desc())).first()
    assert job.issued_report.number_text == "01/BC-SYT"
    assert "Tôi xác nhận cấp số 02/BC-SYT cho báo cáo này" in client.get("/reports/roster/preview", query_string={
        "roster_id": roster.id, "site_id": "", "signed_on": "05/09/2021", "signer_position": "Phó Giám đốc",
        "drafting_unit": "NVY"}).text


def test_the_box_names_the_number_of_the_issuers_own_register(app):
    roster = make_roster("00001", 3)
    client = app.test_client()
    log_in(client, "xa1")
    page = client.get("/reports/roster/preview", query_string={
        "roster_id": roster.id, "site_id": "", "signed_on": "05/09/2021", "signer_position": "Chủ tịch",
        "drafting_unit": "VP"})
    assert page.status_code == 200
    assert "Số tiếp theo trong sổ đăng ký của Phường Phúc Xá" in page.text
    assert "Tôi xác nhận cấp số 01/BC-UBND cho báo cáo này" in page.text
