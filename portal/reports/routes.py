"""Report pages: form → HTML preview (the PDF's own template) → PDF in the background → register."""
from __future__ import annotations

from pathlib import Path

from flask import Response, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.permissions import Ability, can, require, scoped, visible_units
from portal.reports import bp, jobs, services
from portal.reports.forms import CoverageReportForm, RosterReportForm, TaskReportForm
from portal.reports.formatting import vn_decimal, vn_number, vn_percent
from portal.reports.models import REPORT_KIND_LABELS, ReportKind
from portal.reports.rendering import FONT_FILES, PRINT_CSS, font_dir, font_face_css
from portal.rosters.models import Roster
from portal.text import name_sort_key
from portal.timeutil import format_date, local_today
from portal.units.models import Unit, UnitKind
from portal.web import render

FORMS = {
    ReportKind.TESTING: CoverageReportForm,
    ReportKind.VACCINATION: CoverageReportForm,
    ReportKind.TASKS: TaskReportForm,
    ReportKind.ROSTER: RosterReportForm,
}


@bp.app_template_filter("vn_percent")
def _percent_filter(part, whole):
    return vn_percent(part, whole)


@bp.app_template_filter("vn_decimal")
def _decimal_filter(value, digits=1):
    return vn_decimal(value, digits)


@bp.app_template_filter("vn_int")
def _int_filter(value):
    return vn_number(value)


def _kind(value: str) -> ReportKind:
    try:
        return ReportKind(value)
    except ValueError:
        abort(404)


def _unit_choices(ability: Ability, kinds) -> list[tuple[int, str]]:
    """The units the user may report on, as a tree (indented below the highest one shown)."""
    stmt = scoped(select(Unit).where(Unit.kind.in_(kinds)), current_user, ability, Unit.id)
    units = sorted(db.session.scalars(stmt), key=lambda u: [int(x) for x in u.path.strip("/").split("/") if x])
    top = min((u.path.count("/") for u in units), default=0)
    return [(u.id, ("— " * (u.path.count("/") - top)) + u.name) for u in units]


def _build_form(kind: ReportKind, formdata=None):
    cls = FORMS[kind]
    meta = {"csrf": False} if request.method == "GET" else {}
    form = cls(formdata=formdata, meta=meta)
    ability = services.ability_for(kind)
    if kind in (ReportKind.TESTING, ReportKind.VACCINATION):
        form.unit_id.choices = _unit_choices(ability, [UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE])
        form.campaign_id.choices = [(c.id, c.name) for c in db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc()))]
    elif kind is ReportKind.TASKS:
        form.unit_id.choices = _unit_choices(ability, list(UnitKind))
        form.directive_id.choices = [(0, "Tất cả văn bản")] + services_directive_choices(current_user)
    else:
        rosters = db.session.scalars(
            scoped(select(Roster), current_user, ability, Roster.unit_id).order_by(Roster.unit_id, Roster.id)
        ).all()
        form.roster_id.choices = [(r.id, f"{r.unit.name} — {r.kind.label} — {r.campaign.name}") for r in rosters]
        form.site_id.choices = [(0, "Cả xã/phường")] + services_site_choices(rosters)
        form.roster_id.roster = next((r for r in rosters if r.id == form.roster_id.data), None)
    return form


def services_directive_choices(user) -> list[tuple[int, str]]:
    from portal.reports import sources

    return sources.directive_choices(user)


def services_site_choices(rosters) -> list[tuple[int, str]]:
    from portal.reports import sources

    return sources.site_choices(rosters)


def _fill_defaults(form, kind: ReportKind) -> None:
    """First visit: the issuing unit's signer, recipients and today's date."""
    unit = next((g.unit for g in current_user.grants if g.role.value in {r.value for r in services.POLICY[services.ability_for(kind)]}), None)
    if unit is None:
        return
    defaults = services.default_document_fields(unit)
    form.signed_on.data = format_date(local_today())
    form.signer_authority.data = defaults["signer_authority"]
    form.signer_position.data = defaults["signer_position"]
    form.recipients.data = "\n".join(defaults["recipients"])
    form.drafting_unit.data = defaults["drafting_unit"]


@bp.route("/")
@require(Ability.PRODUCE_HEALTH_REPORT)
def index():
    return render_template("reports/index.html", kinds=list(ReportKind), labels=REPORT_KIND_LABELS)


@bp.route("/<kind>/new")
@require(Ability.PRODUCE_HEALTH_REPORT)
def new_report(kind: str):
    report_kind = _kind(kind)
    form = _build_form(report_kind, formdata=None)
    _fill_defaults(form, report_kind)
    return render_template("reports/form.html", form=form, kind=report_kind, label=REPORT_KIND_LABELS[report_kind])


def _valid_params(kind: ReportKind):
    form = _build_form(kind, formdata=request.args if request.method == "GET" else request.form)
    if not form.validate():
        return form, None
    if kind is ReportKind.ROSTER and form.roster_id.roster is None:
        form.roster_id.errors = ["Vui lòng chọn danh sách."]
        return form, None
    return form, form.params()


@bp.route("/<kind>/preview")
@require(Ability.PRODUCE_HEALTH_REPORT)
def preview_report(kind: str):
    report_kind = _kind(kind)
    form, params = _valid_params(report_kind)
    if params is None:
        return render_template("reports/form.html", form=form, kind=report_kind,
                               label=REPORT_KIND_LABELS[report_kind]), 422
    try:
        services.check_access(current_user, report_kind, services.subject_unit_of(report_kind, params))
        services.sources_check(report_kind, params)
    except services.ReportError as exc:
        form.form_errors.append(str(exc))
        return render_template("reports/form.html", form=form, kind=report_kind,
                               label=REPORT_KIND_LABELS[report_kind]), 422
    return _preview_page(report_kind, form, params, request.args.to_dict(flat=True))


def _preview_page(kind: ReportKind, form, params: dict, args: dict, status: int = 200):
    """The preview: the draft in a frame, the draft button, and the issue button behind a
    confirmation box naming the number it will take."""
    args = {k: v for k, v in args.items() if k not in ("csrf_token", "draft", "issue", "confirm_issue")}
    document_url = url_for("reports.preview_document", kind=kind.value, **args)
    next_number = issuer = None
    if can(current_user, Ability.ISSUE_REPORT):
        next_number, issuer = services.next_number_text(current_user, kind, params)
    return render_template("reports/preview.html", form=form, kind=kind, label=REPORT_KIND_LABELS[kind],
                           document_url=document_url, next_number=next_number, issuer=issuer, edit_args=args), status


@bp.route("/<kind>/document")
@require(Ability.PRODUCE_HEALTH_REPORT)
def preview_document(kind: str):
    """The draft as a standalone HTML document (framed by the preview page)."""
    report_kind = _kind(kind)
    form, params = _valid_params(report_kind)
    if params is None:
        abort(422)
    try:
        html = services.preview_html(current_user, report_kind, params, url_for("reports.stylesheet"))
    except services.ReportError:
        abort(404)
    response = Response(html, mimetype="text/html")
    # Shown inside the preview page of this same site only.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; frame-ancestors 'self'"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/<kind>/jobs", methods=["POST"])
@require(Ability.PRODUCE_HEALTH_REPORT)
def create_job(kind: str):
    report_kind = _kind(kind)
    form, params = _valid_params(report_kind)
    if params is None:
        return render_template("reports/form.html", form=form, kind=report_kind,
                               label=REPORT_KIND_LABELS[report_kind]), 422
    if form.issue.data and not form.confirm_issue.data:
        # A number is used up for good: issuing needs the box ticked (nothing is recorded until then).
        form.confirm_issue.errors = ["Vui lòng đánh dấu ô xác nhận cấp số trước khi phát hành."]
        try:
            return _preview_page(report_kind, form, params, request.form.to_dict(flat=True), status=422)
        except services.ReportError as exc:
            form.form_errors.append(str(exc))
            return render_template("reports/form.html", form=form, kind=report_kind,
                                   label=REPORT_KIND_LABELS[report_kind]), 422
    try:
        job = services.request_report(current_user, report_kind, params, issue=bool(form.issue.data))
    except services.ReportError as exc:
        form.form_errors.append(str(exc))
        return render_template("reports/form.html", form=form, kind=report_kind,
                               label=REPORT_KIND_LABELS[report_kind]), 422
    response = redirect(url_for("reports.show_job", job_id=job.id), code=303)
    return jobs.start_after_response(response, job.id)


def _own_job(job_id: int):
    job = services.get_job(current_user, job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/jobs/<int:job_id>")
@require(Ability.PRODUCE_HEALTH_REPORT)
def show_job(job_id: int):
    job = _own_job(job_id)
    response = render("reports/job.html", "reports/partials/_job_status.html", job=job,
                      label=REPORT_KIND_LABELS[job.kind])
    if jobs.stalled(job):  # its runner never started (a server stopped): the page that waits starts it
        jobs.start_after_response(response, job.id)
    return response


@bp.route("/jobs/<int:job_id>/pdf")
@require(Ability.PRODUCE_HEALTH_REPORT)
def download_job(job_id: int):
    job = _own_job(job_id)
    if job.status.value != "done" or job.pdf is None:
        abort(404)
    if job.issued_report is not None:
        return redirect(url_for("reports.download_issued", issued_id=job.issued_report.id))
    services.record_download(current_user, job, job.subject_unit, job.kind)
    return _pdf_response(job.pdf, f"du-thao-{job.kind.value}-{job.id}.pdf")


@bp.route("/register")
@require(Ability.PRODUCE_HEALTH_REPORT)
def register_page():
    reports = services.issued_reports(current_user)
    return render_template("reports/register.html", reports=reports, labels=REPORT_KIND_LABELS)


@bp.route("/issued/<int:issued_id>/pdf")
@require(Ability.PRODUCE_HEALTH_REPORT)
def download_issued(issued_id: int):
    issued = services.get_issued(current_user, issued_id)
    if issued is None:
        abort(404)
    services.record_download(current_user, issued, issued.subject_unit, issued.kind)
    return _pdf_response(issued.pdf, f"{issued.number:02d}-{issued.symbol}-{issued.year}.pdf")


def _pdf_response(pdf: bytes, filename: str):
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/print.css")
@require(Ability.PRODUCE_HEALTH_REPORT)
def stylesheet():
    """print.css for the browser preview, with the report fonts served by the portal."""
    css = font_face_css(lambda name: url_for("reports.font", font_file=name)) + "\n" + PRINT_CSS.read_text(encoding="utf-8")
    return Response(css, mimetype="text/css")


@bp.route("/fonts/<font_file>")
@require(Ability.PRODUCE_HEALTH_REPORT)
def font(font_file: str):
    if font_file not in FONT_FILES.values():
        abort(404)
    path = Path(font_dir()) / font_file
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="font/ttf", max_age=86400)
