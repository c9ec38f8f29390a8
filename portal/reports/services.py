"""Official reports: who may produce what, building the document, issuing it with a number.

Plain functions; they flush, never commit (the request, the CLI command or the job runner does)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.permissions import Ability, POLICY, can, grant_reach
from portal.reports import data, register
from portal.reports.formatting import (
    DEFAULT_SIGNERS, body_name, date_in_words, default_recipients, number_text, parent_body_name,
    place_name, short_name, symbol_for,
)
from portal.reports.models import IssuedReport, JobStatus, ReportJob, ReportKind
from portal.reports.rendering import RenderedPdf, html_to_pdf, render_html
from portal.timeutil import local_today, utcnow
from portal.units.models import Unit

# Reports on health data reach the health authority's territory; a task report stays in the unit's tree.
KIND_ABILITY = {
    ReportKind.TESTING: Ability.PRODUCE_HEALTH_REPORT,
    ReportKind.VACCINATION: Ability.PRODUCE_HEALTH_REPORT,
    ReportKind.ROSTER: Ability.PRODUCE_HEALTH_REPORT,
    ReportKind.TASKS: Ability.PRODUCE_TASK_REPORT,
}


class ReportError(ValueError):
    """A request that cannot be honoured; the message is for the user (Vietnamese)."""


def ability_for(kind: ReportKind) -> Ability:
    return KIND_ABILITY[kind]


def issuing_unit(actor, kind: ReportKind, subject: Unit) -> Unit | None:
    """The unit in whose name `actor` reports on `subject`: the unit of the first grant that
    carries the ability and reaches the subject (its register gives the number)."""
    ability = ability_for(kind)
    grants = sorted(actor.grants, key=lambda g: (-len(g.unit.path), g.unit.code))
    for grant in grants:
        if grant.role in POLICY[ability] and subject.is_within(grant_reach(grant, ability)):
            return grant.unit
    return None


def check_access(actor, kind: ReportKind, subject: Unit, issue: bool = False) -> Unit:
    if actor is not None:
        if not can(actor, ability_for(kind), subject):
            raise ReportError("Bạn không có quyền lập báo cáo cho đơn vị này.")
        if issue and not can(actor, Ability.ISSUE_REPORT, subject if kind is ReportKind.TASKS else None):
            raise ReportError("Bạn không có quyền cấp số báo cáo.")
        unit = issuing_unit(actor, kind, subject)
        if unit is None:
            raise ReportError("Bạn không có quyền lập báo cáo cho đơn vị này.")
        return unit
    return subject


def default_document_fields(unit: Unit) -> dict:
    authority, position = DEFAULT_SIGNERS.get(unit.kind, ("", "THỦ TRƯỞNG ĐƠN VỊ"))
    return {
        "signer_authority": authority,
        "signer_position": position,
        "signer_name": "",
        "recipients": default_recipients(unit),
        "drafting_unit": short_name(unit),
    }


# --- data ---------------------------------------------------------------------------------------

def subject_unit_of(kind: ReportKind, params: dict) -> Unit:
    unit = db.session.get(Unit, params.get("subject_unit_id") or 0)
    if unit is None:
        raise ReportError("Không tìm thấy đơn vị của báo cáo.")
    return unit


def gather(kind: ReportKind, params: dict, progress=None) -> dict:
    """The report's data snapshot, built from the domains' own query functions."""
    from portal.reports import sources

    return sources.GATHERERS[kind](params, progress)


def document(kind: ReportKind, unit: Unit, params: dict, snapshot: dict, number: int | None) -> dict:
    """Everything the header, title and closing print (no database access needed to render)."""
    from portal.reports import sources

    signed_on = date.fromisoformat(params["signed_on"]) if params.get("signed_on") else local_today()
    title, excerpt, excerpt_sub = sources.TITLES[kind](snapshot)
    symbol = symbol_for(unit)
    return {
        "kind": kind.value,
        "draft": number is None,
        "parent_body": parent_body_name(unit),
        "issuing_body": body_name(unit),
        "symbol": symbol,
        "number": number,
        "number_text": number_text(number, symbol),
        "place_date": date_in_words(place_name(unit), signed_on),
        "signed_on": signed_on.isoformat(),
        "title": title,
        "excerpt": excerpt,
        "excerpt_sub": excerpt_sub,
        "recipients": list(params.get("recipients") or []),
        "drafting_unit": params.get("drafting_unit") or short_name(unit),
        "signer_authority": params.get("signer_authority", ""),
        "signer_position": params.get("signer_position", ""),
        "signer_name": params.get("signer_name", ""),
    }


def _record_personal_read(actor, kind: ReportKind, subject: Unit, action: str, params: dict) -> None:
    if kind is ReportKind.ROSTER:  # names, birth dates and CCCD: a read of personal data
        audit.record(actor, action, object_type="report", object_id=params.get("roster_id"), unit=subject,
                     changes={"kind": kind.value})


def _with_reader(actor, kind: ReportKind, params: dict) -> dict:
    """A task report shows the tasks its requester may read (the directives domain's scope)."""
    if kind is ReportKind.TASKS and actor is not None:
        return {**params, "_reader_id": actor.id}
    return params


def preview_html(actor, kind: ReportKind, params: dict, css_href: str | None) -> str:
    """A draft (no number) as HTML, from the same template as the PDF."""
    params = _with_reader(actor, kind, params)
    subject = subject_unit_of(kind, params)
    unit = check_access(actor, kind, subject)
    snapshot = gather(kind, params)
    _record_personal_read(actor, kind, subject, "report.preview", params)
    return render_html(kind.value, document(kind, unit, params, snapshot, None), snapshot, css_href)


def render_pdf(kind: ReportKind, doc: dict, snapshot: dict) -> RenderedPdf:
    return html_to_pdf(render_html(kind.value, doc, snapshot))


# --- jobs and issuing ---------------------------------------------------------------------------

def request_report(actor, kind: ReportKind, params: dict, issue: bool = False,
                   issuer: Unit | None = None) -> ReportJob:
    """Queue a PDF (draft, or issued with the next number). The job runner does the work.
    `actor` None is the command line (scheduled reports): `issuer` names the issuing unit."""
    params = _with_reader(actor, kind, params)
    subject = subject_unit_of(kind, params)
    unit = check_access(actor, kind, subject, issue=issue)
    if actor is None and issuer is not None:
        unit = issuer
    sources_check(kind, params)
    job = ReportJob(kind=kind, unit_id=unit.id, subject_unit_id=subject.id,
                    requested_by_id=actor.id if actor is not None else None, params=params, issue=issue)
    db.session.add(job)
    db.session.flush()
    audit.record(actor, "report.request", job, unit=subject, changes={"kind": kind.value, "issue": issue})
    return job


def next_number_text(actor, kind: ReportKind, params: dict) -> tuple[str, Unit]:
    """The number an issue would take now ("01/BC-SYT") and the unit whose register gives it,
    for the confirmation the secretary ticks before a number is used up."""
    unit = check_access(actor, kind, subject_unit_of(kind, params))
    signed_on = date.fromisoformat(params["signed_on"]) if params.get("signed_on") else local_today()
    return number_text(register.last_number(unit, signed_on.year) + 1, symbol_for(unit)), unit


def sources_check(kind: ReportKind, params: dict) -> None:
    from portal.reports import sources

    sources.CHECKS[kind](params)


def produce(job: ReportJob, progress=None) -> None:
    """Build the job's PDF; an issuing job takes its number and stores the issued report."""
    from portal.auth.models import User

    kind = job.kind
    params = job.params
    snapshot = gather(kind, params, progress)
    if progress:
        progress(50)
    unit = job.unit
    if job.issue:
        signed_on = date.fromisoformat(params["signed_on"]) if params.get("signed_on") else local_today()
        number = register.take_number(unit, signed_on.year)
        doc = document(kind, unit, params, snapshot, number)
        rendered = render_pdf(kind, doc, snapshot)
        issued = IssuedReport(
            unit_id=unit.id, subject_unit_id=job.subject_unit_id, kind=kind, year=signed_on.year,
            number=number, symbol=doc["symbol"], excerpt=(doc["excerpt"] + " " + (doc["excerpt_sub"] or "")).strip()[:500],
            signed_on=signed_on, params=params, snapshot={"doc": doc, "data": snapshot}, pdf=rendered.pdf,
            sha256=rendered.sha256, page_count=rendered.page_count, issued_by_id=job.requested_by_id,
        )
        db.session.add(issued)
        db.session.flush()
        job.issued_report_id = issued.id
        actor = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
        audit.record(actor, "report.issue", issued, unit=job.subject_unit,
                     changes={"number": doc["number_text"], "kind": kind.value})
    else:
        doc = document(kind, unit, params, snapshot, None)
        rendered = render_pdf(kind, doc, snapshot)
    job.pdf = rendered.pdf
    job.page_count = rendered.page_count


def produce_now(actor, kind: ReportKind, params: dict, issue: bool, issuer: Unit | None = None) -> ReportJob:
    """The command line: the same path as a web job, run at once."""
    job = request_report(actor, kind, params, issue=issue, issuer=issuer)
    produce(job)
    job.status = JobStatus.DONE
    job.progress = 100
    job.finished_at = utcnow()
    db.session.flush()
    return job


def rerender_issued(issued: IssuedReport) -> RenderedPdf:
    """Render an issued report again from its stored snapshot (the stored bytes stay the reference)."""
    stored = issued.snapshot
    return render_pdf(issued.kind, stored["doc"], stored["data"])


def issued_reports(actor, limit: int = 200) -> list[IssuedReport]:
    """The register page: issued reports on units the actor may report on."""
    from portal.permissions import visible_units

    health = visible_units(actor, Ability.PRODUCE_HEALTH_REPORT)
    tasks = visible_units(actor, Ability.PRODUCE_TASK_REPORT)
    stmt = (
        select(IssuedReport)
        .where(
            ((IssuedReport.kind != ReportKind.TASKS) & IssuedReport.subject_unit_id.in_(health))
            | ((IssuedReport.kind == ReportKind.TASKS) & IssuedReport.subject_unit_id.in_(tasks))
        )
        .order_by(IssuedReport.issued_at.desc(), IssuedReport.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def get_issued(actor, issued_id: int) -> IssuedReport | None:
    issued = db.session.get(IssuedReport, issued_id)
    if issued is None or not can(actor, ability_for(issued.kind), issued.subject_unit):
        return None
    return issued


def get_job(actor, job_id: int) -> ReportJob | None:
    """A job is seen by the one who asked for it."""
    job = db.session.get(ReportJob, job_id)
    if job is None or job.requested_by_id != actor.id:
        return None
    return job


def record_download(actor, obj, subject: Unit, kind: ReportKind) -> None:
    audit.record(actor, "report.download", obj, unit=subject, changes={"kind": kind.value})
