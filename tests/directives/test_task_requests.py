"""Request tests: scoping (a unit not on a task gets 404), stale saves, bad attachments,
the whole workflow through the web, the bell and the lists."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.directives import services, workflow
from portal.directives.models import Attachment, Directive, EventKind, Task, TaskEvent, TaskState
from portal.directives.status import Status
from portal.extensions import db
from portal.units.services import by_code
from tests.conftest import log_in as _log_in


def log_in(client, username: str) -> None:
    """Switch the signed-in user. The tests hold an app context that requests reuse, so
    Flask-Login's cached user (in g) must be dropped as well."""
    from flask import g

    _log_in(client, username)
    g.pop("_login_user", None)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def app_config(tmp_path):
    return {"WTF_CSRF_ENABLED": False, "UPLOAD_DIR": str(tmp_path / "uploads"), "ATTACHMENT_MAX_BYTES": 2048}


def _task(lead_code: str, content_start: str) -> Task:
    return db.session.scalars(select(Task).where(Task.lead_unit_id == by_code(lead_code).id,
                                                 Task.content.startswith(content_start))).one()


def _events(task_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(TaskEvent).where(TaskEvent.task_id == task_id))


def _html(response) -> str:
    return response.get_data(as_text=True)


# --- Scope ------------------------------------------------------------------------------------
TASK_ROUTES = [("get", "/tasks/{id}"), ("post", "/tasks/{id}/progress"), ("post", "/tasks/{id}/complete"),
               ("post", "/tasks/{id}/accept"), ("post", "/tasks/{id}/assign"), ("post", "/tasks/{id}/approve"),
               ("post", "/tasks/{id}/return"), ("post", "/tasks/{id}/contribute")]


def test_a_unit_not_on_a_task_cannot_read_or_report_on_it(app, client):
    task = _task("00001", "Tiếp tục đảm bảo an sinh")  # Phường Phúc Xá's weekly task
    before = _events(task.id)
    log_in(client, "xa2")  # Phường Trúc Bạch
    for method, url in TASK_ROUTES:
        response = getattr(client, method)(url.format(id=task.id), data={"text": "x", "summary": "x", "contribution": "x",
                                                                   "version": str(task.version)})
        assert response.status_code == 404, url
        assert "an sinh" not in _html(response)
    assert _events(task.id) == before


def test_another_department_cannot_read_a_task_it_is_not_on(app, client):
    task = _task("SGTVT", "Chuẩn bị nhân lực")
    for username in ("soyte", "chuyenvien", "congan", "xa1"):
        log_in(client, username)
        assert client.get(f"/tasks/{task.id}").status_code == 404, username


def test_a_coordinating_unit_reads_the_task_and_adds_a_contribution(app, client):
    task = _task("001", "Tăng cường theo dõi")  # Ba Đình leads; Phúc Xá and Trúc Bạch coordinate
    log_in(client, "xa2")
    assert client.get(f"/tasks/{task.id}").status_code == 200
    response = client.post(f"/tasks/{task.id}/contribute", data={"contribution": "Phường Trúc Bạch đã kiểm tra 8/8 tổ."})
    assert response.status_code == 302
    event = db.session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id)
                               .order_by(TaskEvent.id.desc())).first()
    assert event.kind is EventKind.CONTRIBUTION and event.unit.code == "00004"
    # ... but cannot report progress as if it were the lead unit.
    response = client.post(f"/tasks/{task.id}/progress", data={"text": "x", "version": str(task.version)})
    assert response.status_code == 409
    assert "không thể thực hiện thao tác này" in _html(response)


def test_attachments_and_directive_files_of_foreign_tasks_are_not_found(app, client):
    attachment = db.session.scalars(select(Attachment).join(Task, Attachment.task_id == Task.id)
                                    .where(Task.lead_unit_id == by_code("00001").id)).first()
    log_in(client, "xa2")
    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    office_only = services.register_directive(
        None, by_code("01"), number_symbol="1/TB-UBND", doc_type=services.DocType.THONG_BAO,
        issuer="UBND thành phố Hà Nội", issued_on=date(2021, 9, 1), signer="", excerpt="Thông báo nội bộ")
    db.session.commit()
    for username in ("xa1", "soyte", "quan"):
        log_in(client, username)
        assert client.get(f"/directives/{office_only.id}").status_code == 404
        assert "Thông báo nội bộ" not in _html(client.get("/directives"))
    log_in(client, "vanphong")
    assert client.get(f"/directives/{office_only.id}").status_code == 200


# --- Stale saves ---------------------------------------------------------------------------------
def test_a_stale_save_is_refused_and_the_text_is_shown_back(app, client):
    task = _task("SYT", "Duy trì các trạm")  # handed to chuyenvien
    seen_version = task.version
    log_in(client, "soyte")  # the head saves first
    assert client.post(f"/tasks/{task.id}/progress", data={"text": "Lãnh đạo cập nhật", "percent": "35",
                                                            "version": str(seen_version)}).status_code == 302
    before = _events(task.id)
    log_in(client, "chuyenvien")  # the staff member still has the old page
    text = "Tuần 4: trạm lưu động số 7 hỗ trợ 120 ca"
    response = client.post(f"/tasks/{task.id}/progress", data={"text": text, "percent": "40",
                                                                "version": str(seen_version)})
    assert response.status_code == 409
    page = _html(response)
    assert "vừa được người khác cập nhật" in page
    assert text in page  # nothing lost
    assert _events(task.id) == before
    db.session.expire_all()
    assert db.session.get(Task, task.id).progress == 35
    # Having seen the latest, the user sends again and it passes.
    new_version = db.session.get(Task, task.id).version
    assert f'value="{new_version}"' in page
    response = client.post(f"/tasks/{task.id}/progress", data={"text": text, "percent": "40",
                                                                "version": str(new_version)})
    assert response.status_code == 302


def test_two_office_edits_the_second_is_refused(app, client):
    task = _task("CATP", "Kịp thời xử lý")
    version = task.version
    log_in(client, "vanphong")
    first = client.post(f"/tasks/{task.id}/edit", data={"content": "Bản sửa thứ nhất", "deadline": "01/12/2099",
                                                         "version": str(version)})
    assert first.status_code == 302
    second = client.post(f"/tasks/{task.id}/edit", data={"content": "Bản sửa thứ hai", "deadline": "02/12/2099",
                                                          "version": str(version)})
    assert second.status_code == 409
    assert "Bản sửa thứ hai" in _html(second)
    db.session.expire_all()
    assert db.session.get(Task, task.id).content == "Bản sửa thứ nhất"


# --- Attachments -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, data, message", [
    ("bao-cao.pdf", b"MZ\x90\x00 not a pdf", "không phải là PDF hợp lệ"),
    ("bao-cao.exe", PDF, "không đúng loại cho phép"),
    ("lon.pdf", b"%PDF-" + b"x" * 5000, "vượt quá"),
    ("rong.pdf", b"", "rỗng"),
])
def test_a_bad_attachment_is_refused_with_a_message(app, client, name, data, message):
    task = _task("SYT", "Duy trì các trạm")
    before = _events(task.id)
    log_in(client, "chuyenvien")
    response = client.post(f"/tasks/{task.id}/progress", content_type="multipart/form-data", data={
        "text": "Báo cáo kèm tệp", "percent": "50", "version": str(task.version),
        "files": (io.BytesIO(data), name)})
    assert response.status_code == 400
    page = _html(response)
    assert message in page and "Báo cáo kèm tệp" in page
    assert _events(task.id) == before


def test_a_good_attachment_is_stored_outside_static_and_served_as_a_download(app, client, tmp_path):
    task = _task("SYT", "Duy trì các trạm")
    log_in(client, "chuyenvien")
    response = client.post(f"/tasks/{task.id}/progress", content_type="multipart/form-data", data={
        "text": "Báo cáo tuần", "percent": "50", "version": str(task.version),
        "files": (io.BytesIO(PDF), "../../static/bao cao.pdf")})
    assert response.status_code == 302
    attachment = db.session.scalars(select(Attachment).order_by(Attachment.id.desc())).first()
    assert attachment.stored_name.endswith(".pdf") and "bao" not in attachment.stored_name
    stored = list((tmp_path / "uploads").rglob(attachment.stored_name))
    assert stored and "static" not in str(stored[0])
    download = client.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


# --- Directives ------------------------------------------------------------------------------------
def _directive_form(**overrides):
    data = {"number_symbol": "2405/UBND-KGVX", "doc_type": "cong_van", "issuer": "UBND thành phố Hà Nội",
            "issued_on": "05/09/2021", "signer": "Phạm Văn Hòa", "excerpt": "Về tăng cường xét nghiệm",
            "body": "Nội dung"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("number", ["2405", "UBND-KGVX", "2405/", "ab/UBND", "2405/UBND KGVX!", "<script>"])
def test_a_badly_formed_number_is_refused(app, client, number):
    log_in(client, "vanphong")
    response = client.post("/directives/new", data=_directive_form(number_symbol=number))
    assert response.status_code == 400
    assert "ví dụ 2405/UBND-KGVX" in _html(response)


def test_the_number_is_unique_per_issuer_and_year(app, client):
    log_in(client, "vanphong")
    assert client.post("/directives/new", data=_directive_form()).status_code == 302
    again = client.post("/directives/new", data=_directive_form(issuer="ubnd thanh pho ha noi"))
    assert again.status_code == 400 and "đã có văn bản số 2405/UBND-KGVX trong năm 2021" in _html(again)
    # Same number, another year, or another issuer: fine.
    assert client.post("/directives/new", data=_directive_form(issued_on="05/01/2022")).status_code == 302
    assert client.post("/directives/new", data=_directive_form(issuer="UBND quận Ba Đình")).status_code == 302


def test_bad_dates_and_bad_files_on_a_directive_are_refused(app, client):
    log_in(client, "vanphong")
    response = client.post("/directives/new", data=_directive_form(issued_on="31/02/2021"))
    assert response.status_code == 400 and "dd/mm/yyyy" in _html(response)
    response = client.post("/directives/new", content_type="multipart/form-data",
                           data={**_directive_form(), "file": (io.BytesIO(b"PK\x03\x04zip"), "vanban.pdf")})
    assert response.status_code == 400 and "không phải là PDF hợp lệ" in _html(response)
    assert db.session.scalar(select(func.count()).select_from(Directive)
                             .where(Directive.number_symbol == "2405/UBND-KGVX")) == 0


def test_a_directive_pdf_is_served_only_to_those_allowed(app, client):
    log_in(client, "vanphong")
    response = client.post("/directives/new", content_type="multipart/form-data",
                           data={**_directive_form(), "file": (io.BytesIO(PDF), "cv-2405.pdf")})
    assert response.status_code == 302
    directive = db.session.scalars(select(Directive).where(Directive.number_symbol == "2405/UBND-KGVX")).one()
    download = client.get(f"/directives/{directive.id}/file")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert 'attachment; filename=cv-2405.pdf' in download.headers["Content-Disposition"]
    log_in(client, "xa1")
    assert client.get(f"/directives/{directive.id}/file").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "register_directive")) >= 1


def test_directive_search_ignores_diacritics_and_filters(app, client):
    log_in(client, "vanphong")
    page = _html(client.get("/directives?q=xet+nghiem+tiem+chung"))
    assert "203/KH-UBND" in page and "2310/UBND-KGVX" not in page
    page = _html(client.get("/directives?q=HOI+NGHI+TRUC+TUYEN"))
    assert "2310/UBND-KGVX" in page and "203/KH-UBND" not in page
    assert "203/KH-UBND" not in _html(client.get("/directives?type=cong_van"))
    assert "203/KH-UBND" in _html(client.get("/directives?year=2021&overdue=1"))
    assert "Không có văn bản nào khớp" in _html(client.get("/directives?year=2020"))
    assert "Không có văn bản nào khớp" in _html(client.get("/directives?issuer=UBND+tỉnh+Bình+Dương"))


def test_directive_list_serves_a_fragment_to_htmx(app, client):
    log_in(client, "vanphong")
    fragment = client.get("/directives?q=2310", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "</html>" not in _html(fragment) and "2310/UBND-KGVX" in _html(fragment)
    assert "HX-Request" in fragment.headers["Vary"]
    assert "</html>" in _html(client.get("/directives?q=2310"))


# --- The whole workflow ---------------------------------------------------------------------------------
def test_office_to_staff_and_back(app, client):
    directive = db.session.scalars(select(Directive).where(Directive.number_symbol == "203/KH-UBND")).one()
    log_in(client, "vanphong")
    response = client.post(f"/directives/{directive.id}/tasks", data={
        "content": "Thiết lập 5 điểm tiêm lưu động", "lead_unit": str(by_code("SYT").id),
        "coordinators": [str(by_code("CATP").id), str(by_code("SGTVT").id)], "deadline": "31/12/2099",
        "rhythm": ""})
    assert response.status_code == 302
    task = db.session.scalars(select(Task).order_by(Task.id.desc())).first()
    assert [u.code for u in task.coordinators] == ["CATP", "SGTVT"]
    assert services.task_status(task) is Status.NOT_ACCEPTED

    def step(username, url, **data):
        db.session.expire_all()
        log_in(client, username)
        current = db.session.get(Task, task.id)
        result = client.post(f"/tasks/{task.id}/{url}", data={"version": str(current.version), **data})
        assert result.status_code == 302, (url, _html(result)[-1500:])

    step("soyte", "accept")
    chuyenvien = db.session.scalars(select(services.User).where(services.User.username == "chuyenvien")).one()
    step("soyte", "assign", assignee=str(chuyenvien.id))
    step("chuyenvien", "progress", text="Đã thiết lập 3/5 điểm", percent="60")
    step("chuyenvien", "complete", summary="Đã thiết lập đủ 5 điểm")
    step("soyte", "return", reason="Thiếu danh sách nhân lực")
    step("chuyenvien", "complete", summary="Đã bổ sung danh sách nhân lực")
    step("soyte", "approve")
    step("vanphong", "office-accept")
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.state is TaskState.DONE and services.task_status(task) is Status.DONE_ON_TIME
    kinds = [e.kind for e in task.events]
    assert kinds == [EventKind.CREATED, EventKind.ACCEPTED, EventKind.ASSIGNED, EventKind.PROGRESS,
                     EventKind.SUBMITTED, EventKind.HEAD_RETURNED, EventKind.SUBMITTED, EventKind.HEAD_APPROVED,
                     EventKind.OFFICE_ACCEPTED]
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "task",
                                                                      AuditEvent.object_id == str(task.id))))
    assert {"create_task", "accept_task", "assign_task", "report_task_progress", "submit_task_completion",
            "return_task_completion", "approve_task_completion", "accept_task_completion"} <= actions
    page = _html(client.get(f"/tasks/{task.id}"))
    assert "Thiếu danh sách nhân lực" in page and "Hoàn thành đúng hạn" in page
    # Reopened: not done again.
    step("vanphong", "reopen", reason="Phát hiện thiếu 1 điểm")
    db.session.expire_all()
    assert services.task_status(db.session.get(Task, task.id)) is Status.IN_PROGRESS


def test_steps_out_of_order_and_empty_reasons_are_refused(app, client):
    task = _task("CATP", "Kịp thời xử lý")  # not accepted yet
    log_in(client, "congan")
    response = client.post(f"/tasks/{task.id}/complete", data={"summary": "xong", "version": str(task.version)})
    assert response.status_code == 409
    response = client.post(f"/tasks/{task.id}/return", data={"reason": "  ", "version": str(task.version)})
    assert response.status_code == 400
    response = client.post(f"/tasks/{task.id}/accept", data={"version": "abc"})
    assert response.status_code == 400
    log_in(client, "vanphong")
    response = client.post(f"/directives/{task.directive_id}/tasks", data={"content": "x", "lead_unit": "0"})
    assert response.status_code == 400 and "Vui lòng chọn đơn vị chủ trì" in _html(response)
    response = client.post(f"/directives/{task.directive_id}/tasks", data={
        "content": "x", "lead_unit": str(by_code("SYT").id), "deadline": "", "rhythm": ""})
    assert response.status_code == 400 and "hạn hoàn thành hoặc chế độ báo cáo" in _html(response)
    response = client.post(f"/directives/{task.directive_id}/tasks", data={
        "content": "x", "lead_unit": "999999", "deadline": "01/01/2099"})
    assert response.status_code == 400


# --- Lists, the bell and the report rows ---------------------------------------------------------------
def test_the_demo_covers_every_status(app):
    tasks = list(db.session.scalars(select(Task)))
    assert set(services.task_statuses(tasks).values()) == set(Status)
    assert any(services.task_due_soon(t) for t in tasks)


def test_the_bell_counts_what_needs_action_and_links_to_it(app, client):
    log_in(client, "congan")
    bell = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert bell.status_code == 200 and "</html>" not in _html(bell)
    assert 'hx-trigger="every 30s"' in _html(bell) and 'href="/notifications"' in _html(bell)
    page = _html(client.get("/notifications"))
    assert "Nhiệm vụ mới cần tiếp nhận" in page
    task = _task("CATP", "Kịp thời xử lý")
    assert f"/tasks/{task.id}" in page
    log_in(client, "soyte")
    assert "Báo cáo hoàn thành chờ duyệt" in _html(client.get("/notifications"))
    log_in(client, "vanphong")
    page = _html(client.get("/notifications"))
    assert "Nhiệm vụ quá hạn" in page and "chờ nghiệm thu" in page
    assert 'class="bell has-items urgent"' in _html(client.get("/"))


def test_task_lists_per_view(app, client):
    log_in(client, "vanphong")
    overdue = _html(client.get("/tasks?view=overdue"))
    assert "Chuẩn bị nhân lực" in overdue and "status-overdue" in overdue and "status-done" not in overdue
    assert "Tăng cường theo dõi" in _html(client.get("/tasks?view=due_soon"))
    assert "Rà soát, lập danh sách" in _html(client.get("/tasks?view=approve"))  # Trúc Bạch waits for the office
    log_in(client, "xa1")
    mine = _html(client.get("/tasks"))
    assert "Chuẩn bị nhân lực" not in mine and "an sinh xã hội" in mine
    assert client.get("/tasks?view=nonsense").status_code == 200


def test_office_overview_puts_laggards_first(app, client):
    from portal.directives.lists import counts_by_unit

    user = db.session.scalars(select(services.User).where(services.User.username == "vanphong")).one()
    rows = counts_by_unit(user)
    overdue = [r.counts[Status.OVERDUE] for r in rows]
    assert overdue == sorted(overdue, reverse=True) and overdue[0] > 0
    log_in(client, "vanphong")
    page = _html(client.get("/tasks/overview"))
    assert "overdue-cell" in page and "Sở Công Thương" in page
    log_in(client, "soyte")
    assert client.get("/tasks/overview").status_code == 403


def test_tasks_for_report_rows_overdue_first(app):
    user = db.session.scalars(select(services.User).where(services.User.username == "vanphong")).one()
    rows = services.tasks_for_report(user)
    order = [r.status for r in rows]
    assert order[0] is Status.OVERDUE
    assert order.index(Status.DONE_ON_TIME) > max(i for i, s in enumerate(order) if s is Status.OVERDUE)
    syt = next(r for r in rows if r.content.startswith("Tổ chức lấy mẫu"))
    assert syt.lead_unit == "Sở Y tế" and syt.coordinating_units == ["Công an thành phố", "Sở Giao thông vận tải"]
    assert syt.deadline == date(2021, 9, 15) and syt.status_label == "Hoàn thành đúng hạn"
    by_unit = services.tasks_for_report(user, unit=by_code("001"))
    # Led by Ba Đình or its wards, or coordinated by them (Sở Y tế's mobile stations, with Phúc Xá).
    for row in by_unit:
        assert row.lead_unit_code in {"001", "00001", "00004"} or \
            set(row.coordinating_units) & {"Phường Phúc Xá", "Phường Trúc Bạch", "Quận Ba Đình"}
    directive = db.session.scalars(select(Directive).where(Directive.number_symbol == "2310/UBND-KGVX")).one()
    assert all(r.directive_id == directive.id for r in services.tasks_for_report(user, directive=directive))
    # A period before the tasks existed has none; a clerk sees only its own commune's tasks.
    assert services.tasks_for_report(user, date_to=date(2021, 1, 1)) == []
    clerk = db.session.scalars(select(services.User).where(services.User.username == "xa2")).one()
    assert {r.lead_unit_code for r in services.tasks_for_report(clerk)} <= {"00004", "001"}


def test_a_save_racing_another_commit_is_refused_by_the_version_column(app):
    """The form's version matches what we read, but someone committed in between: the UPDATE
    ... WHERE version = n finds no row and the step is refused, nothing written."""
    from sqlalchemy import update

    task = _task("CATP", "Kịp thời xử lý")
    congan = db.session.scalars(select(services.User).where(services.User.username == "congan")).one()
    read_version = task.version
    db.session.execute(update(Task).where(Task.id == task.id).values(version=Task.version + 1)
                       .execution_options(synchronize_session=False))
    with pytest.raises(services.StaleError):
        workflow.accept_task(congan, task, read_version)
    db.session.rollback()
    assert db.session.get(Task, task.id).state is TaskState.NEW


def test_a_bad_file_on_a_completion_report_is_refused_with_a_message(app, client):
    task = _task("SYT", "Duy trì các trạm")
    before = _events(task.id)
    log_in(client, "chuyenvien")
    response = client.post(f"/tasks/{task.id}/complete", content_type="multipart/form-data", data={
        "summary": "Hoàn thành", "version": str(task.version),
        "summary_files": [(io.BytesIO(PDF), "ok.pdf"), (io.BytesIO(b"<html>"), "trang.png")]})
    assert response.status_code == 400
    assert "không phải là PNG hợp lệ" in _html(response)
    assert _events(task.id) == before
    db.session.expire_all()
    assert db.session.get(Task, task.id).state is TaskState.ACCEPTED
    assert db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.task_id == task.id)) == 0


def test_waiting_for_me_shows_each_role_its_next_step(app, client):
    log_in(client, "congan")  # a new task to accept
    assert "Kịp thời xử lý nghiêm" in _html(client.get("/tasks?view=approve"))
    log_in(client, "soyte")  # a completion report to approve
    assert "Tổng hợp, báo cáo tình hình xét nghiệm" in _html(client.get("/tasks?view=approve"))
    log_in(client, "chuyenvien")  # the reopened task came back with a reason
    page = _html(client.get("/tasks?view=approve"))
    assert "Triển khai thiết lập các trạm y tế lưu động" in page and "Tổng hợp, báo cáo" not in page
