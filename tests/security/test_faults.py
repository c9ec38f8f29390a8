"""Faults injected in the middle of the three multi-step changes of the issue (an import, a
roster approval, a report issue): an error raised after the first writes leaves nothing
half-done, and the user gets the Vietnamese error page, not a stack trace."""
from datetime import date

import pytest
from sqlalchemy import func, select

from portal import audit
from portal.extensions import db
from portal.reports import jobs, services as report_services
from portal.reports.models import IssuedReport, ReportJob, ReportKind
from portal.rosters.models import Person, RosterStatus
from portal.units.services import by_code
from tests.figures import count
from tests.reports.report_helpers import make_roster
from tests.rosters.roster_helpers import count_people, roster_of


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False, "PROPAGATE_EXCEPTIONS": False}


def _fail_on(monkeypatch, action: str):
    """Make the audit entry of `action` (written after the change's own rows) raise."""
    real = audit.record

    def record(actor, what, *args, **kwargs):
        if what == action:
            count("faults_injected")
            raise RuntimeError("injected fault")
        return real(actor, what, *args, **kwargs)

    monkeypatch.setattr(audit, "record", record)


def test_import_interrupted_after_its_inserts_leaves_the_roster_as_it_was(client, login_as, monkeypatch):
    import io

    login_as("xa1")
    roster = roster_of()
    csv = "Họ và tên;Năm sinh;Giới tính\nĐinh Văn Một;1980;Nam\nĐinh Thị Hai;1982;Nữ\n".encode()
    response = client.post(f"/rosters/{roster.id}/import", data={"file": (io.BytesIO(csv), "ds.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    from portal.rosters.models import ImportBatch

    batch = db.session.scalars(select(ImportBatch).where(ImportBatch.roster_id == roster.id)
                               .order_by(ImportBatch.id.desc())).first()
    before = count_people(roster)
    _fail_on(monkeypatch, "roster.import")
    response = client.post(f"/rosters/{roster.id}/imports/{batch.id}/commit")
    assert response.status_code == 500 and "Lỗi hệ thống" in response.text and "injected" not in response.text
    db.session.rollback()
    assert count_people(roster) == before
    assert db.session.scalar(select(func.count(Person.id)).where(Person.full_name.in_(["Đinh Văn Một", "Đinh Thị Hai"]))) == 0


def test_approval_interrupted_changes_nothing(client, login_as, monkeypatch):
    from portal.rosters import services

    roster = roster_of("00001")
    services.submit_roster(None, roster)
    db.session.commit()
    login_as("quan")
    _fail_on(monkeypatch, "roster.approve")
    response = client.post(f"/rosters/{roster.id}/review", data={"decision": "approve"})
    assert response.status_code == 500 and "Lỗi hệ thống" in response.text
    db.session.rollback()
    db.session.expire_all()
    assert roster_of("00001").status is RosterStatus.SUBMITTED


def test_report_issue_interrupted_takes_no_number(app, monkeypatch):
    roster = make_roster("00001", 20)  # what is tested is the transaction, not the layout: a short roster
    syt = by_code("SYT")
    params = {"subject_unit_id": roster.unit_id, "roster_id": roster.id, "site_id": None,
              **report_services.default_document_fields(syt), "signer_name": "Nguyễn Văn Bình",
              "signed_on": date(2021, 9, 5).isoformat()}
    job = report_services.request_report(None, ReportKind.ROSTER, params, issue=True, issuer=syt)
    db.session.commit()
    _fail_on(monkeypatch, "report.issue")
    jobs.run_job(job.id)
    db.session.expire_all()
    assert db.session.get(ReportJob, job.id).status.value == "failed"
    assert db.session.scalar(select(func.count(IssuedReport.id))) == 0
    monkeypatch.undo()
    again = report_services.produce_now(None, ReportKind.ROSTER, params, issue=True, issuer=syt)
    db.session.commit()
    assert again.issued_report.number_text == "01/BC-SYT"  # the failed issue used no number
