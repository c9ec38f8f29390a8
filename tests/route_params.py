"""A sample value for each URL parameter, used by the route × role matrix.

Each function gets the app (inside its context, demo data loaded) and returns an id that
lies in the scope of xa1 (Phường Phúc Xá, 00001) where the parameter is scoped."""
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.units.services import by_code

def _roster_id():
    from portal.rosters.models import Roster, RosterKind

    return db.session.scalars(select(Roster.id).where(Roster.unit_id == by_code("00001").id,
                                                      Roster.kind == RosterKind.TESTING)).one()


def _first(model):
    stmt = select(model.id).where(model.roster_id == _roster_id()).order_by(model.id)
    return db.session.scalars(stmt).first()


def _person_id():
    from portal.rosters.models import Person

    return _first(Person)


def _batch_id():
    from portal.rosters.models import ImportBatch

    return _first(ImportBatch)


def _row_id():
    from portal.rosters.models import ImportRow

    return _first(ImportRow)
def _phuc_xa_task_id():
    from portal.directives.models import Task

    return db.session.scalars(select(Task.id).where(Task.lead_unit_id == by_code("00001").id)
                              .order_by(Task.id.desc())).first()


def _phuc_xa_attachment_id():
    from portal.directives.models import Attachment, Task

    return db.session.scalars(select(Attachment.id).join(Task, Attachment.task_id == Task.id)
                              .where(Task.lead_unit_id == by_code("00001").id).order_by(Attachment.id)).first()


def _phuc_xa_directive_id():
    from portal.directives.models import Task

    return db.session.scalars(select(Task.directive_id).where(Task.lead_unit_id == by_code("00001").id)
                              .order_by(Task.id)).first()


PARAMS = {
    "unit_id": lambda: by_code("00001").id,
    "user_id": lambda: db.session.scalars(select(User).where(User.username == "xa1")).one().id,
    # rosters: Phúc Xá's testing roster, its first person, its demo import and a doubtful row of it
    "roster_id": _roster_id,
    "person_id": _person_id,
    "batch_id": _batch_id,
    "row_id": _row_id,
    "kind": lambda: "testing",
    "fmt": lambda: "xlsx",
    "field": lambda: "cccd",
    # Directives and tasks: a task led by Phường Phúc Xá, one of its attachments, its directive.
    "task_id": _phuc_xa_task_id,
    "attachment_id": _phuc_xa_attachment_id,
    "directive_id": _phuc_xa_directive_id,
}


def _report_job_id():
    """A report job asked for by xa1 (reports domain)."""
    from portal.reports.models import ReportJob, ReportKind

    xa1 = db.session.scalars(select(User).where(User.username == "xa1")).one()
    unit = by_code("00001")
    existing = db.session.scalars(select(ReportJob.id).where(ReportJob.requested_by_id == xa1.id)).first()
    if existing:
        return existing
    job = ReportJob(kind=ReportKind.ROSTER, unit_id=unit.id, subject_unit_id=unit.id, requested_by_id=xa1.id,
                    params={"subject_unit_id": unit.id})
    db.session.add(job)
    db.session.commit()
    return job.id


def _issued_report_id():
    """An issued report on xa1's commune (reports domain); the bytes are a stand-in."""
    from datetime import date

    from portal.reports.models import IssuedReport, ReportKind

    unit = by_code("00001")
    existing = db.session.scalars(select(IssuedReport.id).where(IssuedReport.subject_unit_id == unit.id)).first()
    if existing:
        return existing
    issued = IssuedReport(unit_id=unit.id, subject_unit_id=unit.id, kind=ReportKind.ROSTER, year=2021, number=1,
                          symbol="BC-UBND", excerpt="Danh sách", signed_on=date(2021, 9, 5), params={},
                          snapshot={}, pdf=b"%PDF-1.7 stand-in", sha256="0" * 64, page_count=1)
    db.session.add(issued)
    db.session.commit()
    return issued.id


PARAMS.update({
    # "kind" (rosters: "testing") is also a report kind; the report routes take it as it is.
    "job_id": _report_job_id,
    "issued_id": _issued_report_id,
    "font_file": lambda: "LiberationSerif-Regular.ttf",
})
def _demo_site(kind: str) -> int:
    from portal.campaigns.models import Site

    unit = by_code("00001")
    return db.session.scalars(select(Site.id).where(Site.unit_id == unit.id, Site.kind == kind).order_by(Site.id)).first()


def _demo_campaign() -> int:
    from portal.campaigns.models import Campaign
    from portal.demo.loader import DEMO_CAMPAIGN

    return db.session.scalars(select(Campaign.id).where(Campaign.name == DEMO_CAMPAIGN)).one()


# campaigns, sampling, coverage
PARAMS["campaign_id"] = _demo_campaign
PARAMS["site_id"] = lambda: _demo_site("sampling_point")
