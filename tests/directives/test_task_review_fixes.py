"""Fixes from a fresh-eyes review of the task pages: no English message reaches a user, a lead
unit without staff is told so, progress shown agrees with what was reported."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select

import portal
from portal.directives.models import Task, TaskState
from portal.extensions import db
from portal.forms import PortalForm
from portal.units.services import by_code
from tests.directives.test_task_requests import log_in

ENGLISH = ("Not a valid choice", "This field is required", "Invalid input", "Not a valid integer",
           "Not a valid date")


@pytest.fixture
def app_config(tmp_path):
    return {"WTF_CSRF_ENABLED": False, "UPLOAD_DIR": str(tmp_path / "uploads")}


def _catp_new_task() -> Task:
    return db.session.scalars(select(Task).where(Task.lead_unit_id == by_code("CATP").id,
                                                 Task.state == TaskState.NEW)).first()


def test_every_form_of_the_portal_speaks_vietnamese():
    for info in pkgutil.walk_packages(portal.__path__, "portal."):
        if info.name.endswith(".forms"):
            module = importlib.import_module(info.name)
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, FlaskForm) and cls.__module__ == info.name:
                    assert issubclass(cls, PortalForm), f"{info.name}.{name} must derive from PortalForm"


def test_lead_unit_without_staff_is_told_and_a_bad_choice_is_refused_in_vietnamese(app, client):
    task = _catp_new_task()
    log_in(client, "congan")
    assert client.post(f"/tasks/{task.id}/accept", data={"version": task.version}).status_code == 302
    db.session.refresh(task)

    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "chưa có tài khoản chuyên viên nào" in page
    assert "Giao cho chuyên viên" not in page

    response = client.post(f"/tasks/{task.id}/assign", data={"version": task.version, "assignee": "999"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "chưa có tài khoản chuyên viên nào" in body
    assert not any(text in body for text in ENGLISH)
    assert db.session.get(Task, task.id).assignee_id is None


def _syt_accepted_task() -> Task:
    return db.session.scalars(select(Task).where(Task.lead_unit_id == by_code("SYT").id,
                                                 Task.state == TaskState.ACCEPTED)).first()


@pytest.mark.parametrize("assignee", ["999", "abc", ""])
def test_a_bad_assignee_is_refused_in_vietnamese(app, client, assignee):
    task = _syt_accepted_task()
    log_in(client, "soyte")
    response = client.post(f"/tasks/{task.id}/assign", data={"version": task.version, "assignee": assignee})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ." in body
    assert not any(text in body for text in ENGLISH)


def _demo_task_waiting_for_the_office() -> Task:
    return db.session.scalars(select(Task).where(Task.state == TaskState.APPROVED).order_by(Task.id)).first()


def test_progress_shown_is_what_the_completion_report_says(app, client):
    task = _demo_task_waiting_for_the_office()
    log_in(client, "vanphong")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'aria-label="Tiến độ 100%"' in page
    assert 'aria-label="Tiến độ 0%"' not in page
    listing = client.get("/tasks", query_string={"q": task.content[:30]}).get_data(as_text=True)
    assert 'aria-label="Tiến độ 100%"' in listing


def test_a_completion_report_through_the_web_sets_progress_to_100(app, client):
    task = _catp_new_task()
    log_in(client, "congan")
    client.post(f"/tasks/{task.id}/accept", data={"version": task.version})
    db.session.refresh(task)
    response = client.post(f"/tasks/{task.id}/complete", data={"version": task.version, "summary": "Đã xong."})
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.progress == 100


def test_overdue_periodic_report_is_named_with_the_last_report_day():
    from datetime import date

    from portal.directives.status import Rhythm, TaskFacts, overdue_note

    facts = TaskFacts(deadline=date(2026, 12, 24), rhythm=Rhythm.WEEKLY, starts_on=date(2026, 11, 2),
                      report_days=frozenset({date(2026, 11, 5), date(2026, 11, 12)}))
    assert overdue_note(facts, date(2026, 11, 23)) == "Quá hạn báo cáo định kỳ (báo cáo gần nhất 12/11/2026)"
    assert overdue_note(TaskFacts(deadline=date(2026, 12, 24), rhythm=Rhythm.WEEKLY, starts_on=date(2026, 11, 2)),
                        date(2026, 11, 23)) == "Quá hạn báo cáo định kỳ (chưa có báo cáo nào)"
    assert overdue_note(facts, date(2026, 11, 15)) == ""  # the week of 09-15/11 has its report
    assert overdue_note(TaskFacts(deadline=date(2026, 11, 1)), date(2026, 11, 23)) == ""  # plainly late


def test_notifications_and_task_lists_say_a_periodic_report_is_overdue(app, client):
    log_in(client, "xa1")
    page = client.get("/notifications").get_data(as_text=True)
    assert "Quá hạn báo cáo định kỳ (báo cáo gần nhất" in page
    log_in(client, "vanphong")
    listing = client.get("/tasks", query_string={"view": "overdue"}).get_data(as_text=True)
    assert "Quá hạn báo cáo định kỳ (báo cáo gần nhất" in listing


def test_file_sizes_read_the_vietnamese_way():
    from portal.text import format_size

    assert format_size(0) == "0 byte"
    assert format_size(412) == "412 byte"
    assert format_size(1023) == "1023 byte"
    assert format_size(1024) == "1 KB"
    assert format_size(1536) == "1,5 KB"
    assert format_size(5 * 1024 * 1024) == "5 MB"
    assert format_size(int(2.25 * 1024 * 1024)) == "2,2 MB" or format_size(int(2.25 * 1024 * 1024)) == "2,3 MB"


def test_a_small_attachment_shows_its_size_in_bytes(app, client):
    from portal.directives.models import Attachment

    attachment = db.session.scalars(select(Attachment).order_by(Attachment.id)).first()
    attachment.size = 412
    db.session.commit()
    log_in(client, "vanphong")
    page = client.get(f"/tasks/{attachment.task_id}").get_data(as_text=True)
    assert "(412 byte)" in page and "(0 KB)" not in page


def test_the_directive_breadcrumb_names_the_directive_and_task_tables_keep_short_cells_whole(app, client):
    from portal.directives.models import Directive

    directive = db.session.scalars(select(Directive).order_by(Directive.id)).first()
    log_in(client, "vanphong")
    page = client.get(f"/directives/{directive.id}").get_data(as_text=True)
    crumb = page.split('<p class="breadcrumb">')[1].split("</p>")[0]
    assert crumb.rstrip().endswith(f"{directive.number_symbol}</span>")
    assert '<td class="nowrap">' in page
    tasks = client.get("/tasks").get_data(as_text=True)
    assert '<td class="nowrap"><a href="/directives/' in tasks
    css = client.get("/static/css/portal.css").get_data(as_text=True)
    assert "td.nowrap { white-space: nowrap; }" in css
