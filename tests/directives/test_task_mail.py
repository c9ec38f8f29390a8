"""Optional e-mail: off by default; when configured, sent after the commit only."""
import pytest

from sqlalchemy import select

from portal.directives.models import Task
from portal.extensions import db
from portal.units.services import by_code
from tests.conftest import log_in


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False, "MAIL_SERVER": "mail.hanoi.gov.vn.invalid", "MAIL_DOMAIN": "hanoi.gov.vn"}


@pytest.fixture(autouse=True)
def fake_smtp(monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr("portal.directives.mail.smtplib.SMTP", FakeSMTP)
    return FakeSMTP


def _task(code, start):
    return db.session.scalars(select(Task).where(Task.lead_unit_id == by_code(code).id,
                                                 Task.content.startswith(start))).one()


def test_a_completion_report_mails_the_head_after_commit(app, client):
    task = _task("SYT", "Duy trì các trạm")
    log_in(client, "chuyenvien")
    response = client.post(f"/tasks/{task.id}/complete", data={"summary": "Xong", "version": str(task.version)})
    assert response.status_code == 302
    assert [m["To"] for m in FakeSMTP.sent] == ["soyte@hanoi.gov.vn"]
    assert FakeSMTP.sent[0]["Subject"] == "Báo cáo hoàn thành chờ duyệt"
    assert f"/tasks/{task.id}" in FakeSMTP.sent[0].get_content()


def test_a_refused_step_sends_nothing(app, client):
    task = _task("SYT", "Duy trì các trạm")
    log_in(client, "chuyenvien")
    response = client.post(f"/tasks/{task.id}/complete", data={"summary": "Xong", "version": "999"})
    assert response.status_code == 409
    assert FakeSMTP.sent == []


def test_mail_is_off_without_settings(app, client):
    app.config["MAIL_SERVER"] = ""
    task = _task("SYT", "Duy trì các trạm")
    log_in(client, "chuyenvien")
    assert client.post(f"/tasks/{task.id}/complete", data={"summary": "Xong",
                                                           "version": str(task.version)}).status_code == 302
    assert FakeSMTP.sent == []
