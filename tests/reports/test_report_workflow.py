"""The secretary's workflow on the web: form → preview → PDF job → issued number → register."""
import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.reports.models import IssuedReport, JobStatus, ReportJob
from portal.units.services import by_code
from tests.conftest import log_in
from tests.reports.report_helpers import make_roster, pdf_text


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False, "REPORT_JOBS": "inline"}


def _post(client, url, data):
    """POST and close the response: the job starts once the response is closed (as on a server)."""
    response = client.post(url, data=data)
    response.close()
    return response


def _form(roster, **extra):
    data = {"roster_id": roster.id, "site_id": "", "signed_on": "05/09/2021", "signer_authority": "KT. Giám đốc",
            "signer_position": "Phó Giám đốc", "signer_name": "Nguyễn Văn Bình",
            "recipients": "Bộ Y tế;\nUBND Thành phố", "drafting_unit": "NVY"}
    if extra.get("issue"):
        data["confirm_issue"] = "y"  # the secretary ticks the confirmation box (tests/reports/test_report_issue_confirm.py)
    data.update(extra)
    return data


def test_secretary_previews_a_draft_with_the_pdf_template_and_no_number(app, login_as):
    roster = make_roster("00001", 8)
    client = login_as("thuky")
    page = client.get("/reports/roster/new")
    assert page.status_code == 200 and "Phường Phúc Xá" in page.text and "KT. GIÁM ĐỐC" in page.text
    preview = client.get("/reports/roster/preview", query_string=_form(roster))
    assert preview.status_code == 200 and "<iframe" in preview.text and "Cấp số và phát hành" in preview.text
    document = client.get("/reports/roster/document", query_string=_form(roster))
    assert document.status_code == 200
    html = document.text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Hà Nội, ngày 05 tháng 9 năm 2021" in html
    assert "DỰ THẢO" in html and "/BC-SYT" in html and "01/BC-SYT" not in html
    assert "frame-ancestors 'self'" in document.headers["Content-Security-Policy"]
    assert "/reports/print.css" in html
    css = client.get("/reports/print.css")
    assert css.status_code == 200 and "@font-face" in css.text and "@page" in css.text
    assert client.get("/reports/fonts/LiberationSerif-Bold.ttf").status_code == 200
    assert client.get("/reports/fonts/..%2Fpasswd").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(IssuedReport)) == 0


def test_draft_pdf_job_then_issue_takes_next_numbers_and_register_lists_them(app, login_as, tmp_path):
    roster = make_roster("00001", 8)
    client = login_as("thuky")
    draft = _post(client, "/reports/roster/jobs", _form(roster, draft="1"))
    assert draft.status_code == 303
    job_page = client.get(draft.location)
    assert job_page.status_code == 200 and "Bản nháp đã sẵn sàng" in job_page.text
    job = db.session.scalars(select(ReportJob).order_by(ReportJob.id.desc())).first()
    assert job.status is JobStatus.DONE and job.issued_report_id is None
    pdf = client.get(f"/reports/jobs/{job.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "DỰ THẢO" in pdf_text(pdf.data, tmp_path)

    numbers = []
    for _ in range(2):
        response = _post(client, "/reports/roster/jobs", _form(roster, issue="1"))
        page = client.get(response.location)
        job = db.session.scalars(select(ReportJob).order_by(ReportJob.id.desc())).first()
        numbers.append(job.issued_report.number_text)
        assert job.issued_report.number_text in page.text
    assert numbers == ["01/BC-SYT", "02/BC-SYT"]

    register = client.get("/reports/register")
    assert "01/BC-SYT" in register.text and "02/BC-SYT" in register.text and "05/09/2021" in register.text
    issued = db.session.scalars(select(IssuedReport).order_by(IssuedReport.number)).first()
    first = client.get(f"/reports/issued/{issued.id}/pdf")
    second = client.get(f"/reports/issued/{issued.id}/pdf")
    assert first.data == second.data == issued.pdf
    text = pdf_text(first.data, tmp_path)
    assert "Số: 01/BC-SYT" in text and "DỰ THẢO" not in text and "- Lưu: VT, NVY." in text
    assert "- Bộ Y tế;" in text and "KT. GIÁM ĐỐC" in text
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"report.request", "report.issue", "report.download", "report.preview"} - {"report.preview"} <= actions


def test_job_status_fragment_polls_while_running_and_stops_when_done(app, login_as):
    roster = make_roster("00001", 3)
    client = login_as("xa1")
    from portal.auth.models import User
    from portal.reports.models import ReportKind

    xa1 = db.session.scalars(select(User).where(User.username == "xa1")).one()
    job = ReportJob(kind=ReportKind.ROSTER, unit_id=roster.unit_id, subject_unit_id=roster.unit_id,
                    requested_by_id=xa1.id, params={"subject_unit_id": roster.unit_id}, progress=40,
                    status=JobStatus.RUNNING)
    db.session.add(job)
    db.session.commit()
    fragment = client.get(f"/reports/jobs/{job.id}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "</html>" not in fragment.text
    assert 'hx-trigger="every 1s"' in fragment.text and 'value="40"' in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    full = client.get(f"/reports/jobs/{job.id}")
    assert "</html>" in full.text
    job.status = JobStatus.FAILED
    job.message = "Không tạo được báo cáo."
    db.session.commit()
    done = client.get(f"/reports/jobs/{job.id}", headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.text and "Không tạo được báo cáo." in done.text


def test_bad_input_gives_vietnamese_messages_and_creates_nothing(app, login_as):
    roster = make_roster("00001", 3)
    client = login_as("thuky")
    bad_date = client.get("/reports/roster/preview", query_string=_form(roster, signed_on="31/02/2021"))
    assert bad_date.status_code == 422 and "Ngày không hợp lệ" in bad_date.text
    not_a_number = client.get("/reports/roster/preview", query_string=_form(roster, roster_id="abc"))
    assert not_a_number.status_code == 422 and "Lựa chọn không hợp lệ" in not_a_number.text
    missing = _post(client, "/reports/roster/jobs", _form(roster, roster_id="", signer_position="", issue="1"))
    assert missing.status_code == 422 and "Vui lòng chọn danh sách." in missing.text
    assert "Vui lòng nhập chức vụ người ký." in missing.text
    assert client.get("/reports/nope/new").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ReportJob)) == 0


def test_clerk_reports_on_own_commune_only(app, login_as):
    own = make_roster("00001", 3)
    other = make_roster("00004", 3, seed=9)
    client = login_as("xa1")
    form = client.get("/reports/roster/new").text
    assert "Phường Phúc Xá" in form and "Phường Trúc Bạch" not in form
    assert client.get("/reports/roster/preview", query_string=_form(own, drafting_unit="VP")).status_code == 200
    foreign = client.get("/reports/roster/preview", query_string=_form(other))
    assert foreign.status_code == 422 and "ngoài phạm vi" in foreign.text
    assert client.get("/reports/roster/document", query_string=_form(other)).status_code == 422
    assert _post(client, "/reports/roster/jobs", _form(other, issue="1")).status_code == 422
    # The clerk's own issue is numbered in the commune's register.
    response = _post(client, "/reports/roster/jobs", _form(own, issue="1"))
    job = db.session.scalars(select(ReportJob).order_by(ReportJob.id.desc())).first()
    assert response.status_code == 303 and job.issued_report.number_text == "01/BC-UBND"
    assert job.unit_id == by_code("00001").id


def _client_as(app, username):
    """A fresh client per user. The test's app context is shared by its requests, so flask-login's
    cached user in `g` is dropped too."""
    from flask import g

    client = app.test_client()
    log_in(client, username)
    original = client.open

    def open_as_self(*args, **kwargs):
        g.pop("_login_user", None)
        return original(*args, **kwargs)

    client.open = open_as_self
    return client


def test_foreign_jobs_and_issued_reports_are_not_found(app):
    roster = make_roster("00001", 3)
    xa1 = _client_as(app, "xa1")
    _post(xa1, "/reports/roster/jobs", _form(roster, issue="1"))
    job = db.session.scalars(select(ReportJob)).one()
    issued_id = job.issued_report_id
    other = _client_as(app, "xa2")

    assert other.get(f"/reports/jobs/{job.id}").status_code == 404
    assert other.get(f"/reports/jobs/{job.id}/pdf").status_code == 404
    assert other.get(f"/reports/issued/{issued_id}/pdf").status_code == 404
    assert "01/BC-UBND" not in other.get("/reports/register").text
    # The city's health secretary reaches the commune's health reports.
    secretary = _client_as(app, "thuky")
    assert secretary.get(f"/reports/issued/{issued_id}/pdf").status_code == 200
    assert "01/BC-UBND" in secretary.get("/reports/register").text


@pytest.mark.parametrize("username", ["quan", "congan", "soyte", "vanphong"])
def test_roles_without_report_abilities_are_refused(app, login_as, username):
    client = login_as(username)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/roster/new").status_code == 403
    assert client.get("/reports/register").status_code == 403
