"""Testing, vaccination and task reports on the demo data, read back from the PDFs."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.coverage import services as coverage
from portal.directives.lists import tasks_for_report
from portal.extensions import db
from portal.reports import services, sources
from portal.reports.formatting import vn_number
from portal.reports.models import ReportJob, ReportKind
from portal.units.models import Unit, UnitKind
from portal.units.services import by_code
from tests.conftest import log_in
from tests.reports.report_helpers import demo_campaign, flat_text, pdf_fonts, pdf_text

HEADER = ("SỞ Y TẾ", "UBND THÀNH PHỐ HÀ NỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
          "Hà Nội, ngày 05 tháng 9 năm 2021", "BÁO CÁO", "Nơi nhận:", "- Lưu: VT, SYT.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False, "REPORT_JOBS": "inline"}


def _options(html: str, name: str) -> list[str]:
    import re

    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [text.strip() for text in re.findall(r"<option[^>]*>([^<]*)</option>", select_html)]


def _post_job(client, kind, data):
    response = client.post(f"/reports/{kind}/jobs", data=data)
    response.close()  # the job runs once the response is closed, as on a server
    assert response.status_code == 303, response.text[:2000]
    return db.session.scalars(select(ReportJob).order_by(ReportJob.id.desc())).first()


def _document(**extra):
    data = {"signed_on": "05/09/2021", "signer_authority": "KT. GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC",
            "signer_name": "Nguyễn Văn Bình", "recipients": "Bộ Y tế\nUBND Thành phố", "drafting_unit": "SYT",
            "issue": "1", "confirm_issue": "y"}
    data.update(extra)
    return data


def test_city_testing_report_lists_every_commune_behind_first_with_coverage_figures(app, tmp_path):
    client = app.test_client()
    log_in(client, "thuky")
    city = by_code("01")
    job = _post_job(client, "testing", _document(unit_id=city.id, campaign_id=demo_campaign().id))
    assert job.issued_report.number_text == "01/BC-SYT"
    text = pdf_text(job.issued_report.pdf, tmp_path)
    flat = flat_text(text)
    for piece in HEADER + ("Số: 01/BC-SYT", "Tình hình lấy mẫu xét nghiệm SARS-CoV-2", "trên địa bàn Thành phố Hà Nội"):
        assert piece in flat, piece
    snapshot = job.issued_report.snapshot["data"]
    communes = db.session.scalars(select(Unit).where(Unit.kind == UnitKind.COMMUNE)).all()
    assert {u["name"] for u in snapshot["units"]} == {c.name for c in communes}
    for row in snapshot["units"]:
        assert row["name"] in flat
    # Behind target first, in the printed order too.
    behind = [u for u in snapshot["units"] if u["behind"]]
    assert snapshot["units"][:len(behind)] == behind
    positions = [flat.index(u["name"] + (" (*)" if u["behind"] else "")) for u in snapshot["units"]]
    assert positions == sorted(positions)
    # The figures are the coverage domain's own.
    cells = coverage.commune_cells(demo_campaign(), [c.id for c in communes])[0]
    total = sum(coverage.commune_total(cells[c.id]).people for c in communes)
    assert snapshot["totals"]["people"] == total
    assert f"Tổng số người trong danh sách lấy mẫu: {vn_number(total)} người" in flat
    assert all(f["emb"] == "yes" for f in pdf_fonts(job.issued_report.pdf, tmp_path))


def test_vaccination_report_shows_coverage_days_sites_and_groups(app, tmp_path):
    client = app.test_client()
    log_in(client, "thuky")
    district = by_code("001")
    job = _post_job(client, "vaccination", _document(unit_id=district.id, campaign_id=demo_campaign().id,
                                                     date_from="01/09/2021", date_to="30/09/2021"))
    flat = flat_text(pdf_text(job.issued_report.pdf, tmp_path))
    for piece in HEADER + ("Tình hình tiêm vắc xin phòng COVID-19", "trên địa bàn Quận Ba Đình",
                           "từ ngày 01/09/2021 đến ngày 30/09/2021"):
        assert piece in flat, piece
    data = job.issued_report.snapshot["data"]
    assert {u["name"] for u in data["units"]} == {"Phường Phúc Xá", "Phường Trúc Bạch", "Phường Vĩnh Phúc", "Phường Cống Vị"}
    assert data["by_day"] and data["by_site"]
    for row in data["by_day"]:
        assert row["date"] in flat
    for site in data["by_site"]:
        assert site["name"] in flat
    for group in data["by_group"]:
        assert group["label"] in flat


def test_task_report_for_the_health_department_lists_overdue_first_with_counts(app, tmp_path):
    client = app.test_client()
    log_in(client, "thuky")
    syt = by_code("SYT")
    job = _post_job(client, "tasks", _document(unit_id=syt.id, directive_id=""))
    flat = flat_text(pdf_text(job.issued_report.pdf, tmp_path, raw=True))
    assert "Tình hình thực hiện nhiệm vụ" in flat and "Số: 01/BC-SYT" in flat
    from portal.auth.models import User

    thuky = db.session.scalars(select(User).where(User.username == "thuky")).one()
    rows = tasks_for_report(thuky, unit=syt)
    data = job.issued_report.snapshot["data"]
    assert data["total"] == len(rows) > 0
    assert [t["content"] for t in data["tasks"]] == [r.content for r in rows]
    for row in rows:
        assert flat_text(row.content) in flat
    statuses = [t["status_key"] for t in data["tasks"]]
    overdue = statuses.count("overdue")
    assert statuses[:overdue] == ["overdue"] * overdue
    for count in data["counts"]:
        assert count["label"] in flat


def test_task_report_for_one_directive_from_the_command_line(app, runner, tmp_path):
    from portal.directives.models import Directive

    directive = db.session.scalars(select(Directive).order_by(Directive.id)).first()
    out = tmp_path / "tasks.pdf"
    result = runner.invoke(args=["report", "tasks", "--directive", directive.number_symbol, "--signed-on", "05/09/2021",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    flat = flat_text(pdf_text(out.read_bytes(), tmp_path, raw=True))
    assert f"theo văn bản số {directive.number_symbol}" in flat and "DỰ THẢO" in flat
    for task in directive.tasks:
        assert flat_text(task.content) in flat


def test_command_line_produces_each_report_and_issues_numbers(app, runner, tmp_path):
    outputs = []
    for kind, extra in (("testing", ["--unit", "001"]), ("vaccination", []), ("roster", ["--unit", "00001"])):
        out = tmp_path / f"{kind}.pdf"
        result = runner.invoke(args=["report", kind, *extra, "--from", "01/09/2021", "--to", "15/09/2021",
                                     "--signed-on", "05/01/2021", "--out", str(out), "--issue"])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
        text = pdf_text(out.read_bytes(), tmp_path)
        assert "Hà Nội, ngày 05 tháng 01 năm 2021" in text
    assert "01/BC-SYT" in outputs[0] and "02/BC-SYT" in outputs[1] and "03/BC-SYT" in outputs[2]


@pytest.mark.parametrize("args, message", [
    (["report", "testing", "--unit", "XYZ"], "Không có đơn vị mã XYZ."),
    (["report", "testing", "--from", "32/01/2021"], "Từ ngày không hợp lệ"),
    (["report", "testing", "--from", "10/09/2021", "--to", "01/09/2021"], "Ngày kết thúc phải sau ngày bắt đầu."),
    (["report", "testing", "--campaign", "Không có"], "Không có chiến dịch"),
    (["report", "roster"], "Danh sách in cần --unit"),
    (["report", "tasks", "--directive", "999/XX"], "Không có văn bản chỉ đạo số 999/XX."),
    (["report", "testing", "--unit", "SYT"], "Báo cáo này lập cho xã/phường"),
])
def test_command_line_refuses_bad_input_in_vietnamese(app, runner, tmp_path, args, message):
    result = runner.invoke(args=[*args, "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_clerk_reports_on_own_commune_but_not_on_the_district(app, tmp_path):
    client = app.test_client()
    log_in(client, "xa1")
    options = _options(client.get("/reports/testing/new").text, "unit_id")
    assert options == ["Phường Phúc Xá"]
    district = client.get("/reports/testing/preview", query_string=_document(
        unit_id=by_code("001").id, campaign_id=demo_campaign().id))
    assert district.status_code == 422
    own = client.get("/reports/testing/document", query_string=_document(
        unit_id=by_code("00001").id, campaign_id=demo_campaign().id, drafting_unit="VP"))
    assert own.status_code == 200 and "UBND PHƯỜNG PHÚC XÁ" in own.text.upper()


def test_health_secretary_reaches_the_city_for_health_reports_but_not_other_departments_tasks(app):
    client = app.test_client()
    log_in(client, "thuky")
    testing_units = _options(client.get("/reports/testing/new").text, "unit_id")
    assert len(testing_units) == 10 and testing_units[0] == "Thành phố Hà Nội" and "— — Phường Hàng Mã" in testing_units
    task_units = _options(client.get("/reports/tasks/new").text, "unit_id")
    assert [u.strip("— ") for u in task_units] == ["Sở Y tế", "Trung tâm Kiểm soát bệnh tật Hà Nội"]
    refused = client.get("/reports/tasks/preview", query_string=_document(unit_id=by_code("CATP").id))
    assert refused.status_code == 422
    # The service refuses too, whatever the form offered.
    from portal.auth.models import User

    thuky = db.session.scalars(select(User).where(User.username == "thuky")).one()
    with pytest.raises(services.ReportError):
        services.request_report(thuky, ReportKind.TASKS, {"subject_unit_id": by_code("CATP").id})
    assert sources.default_issuer(ReportKind.TESTING, by_code("00001")).code == "SYT"
    assert date(2021, 9, 5)
