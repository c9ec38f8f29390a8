"""Roster pages: thin views that parse, check, call a service and render."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_htmx import make_response as htmx_response
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from portal.campaigns.models import Campaign
from portal.extensions import db, htmx
from portal.permissions import Ability, can, can_review_roster, get_scoped_or_404, require
from portal.rosters import bp, cli, services  # noqa: F401  (cli: the `roster` commands)
from portal.rosters.forms import ConfirmForm, ImportForm, OpenRosterForm, PersonForm, ReasonForm
from portal.rosters.imports import batch_rows, row_messages, row_raw, rows_workbook, template_workbook
from portal.rosters.models import ImportBatch, ImportRow, Person, Roster, RosterKind, RosterStatus, Zone
from portal.rosters.person_record import HISTORY_LABELS
from portal.rosters.services import STATUS_LABELS, RosterError
from portal.rosters.validation import FIELD_LABELS, FieldError, parse_sex
from portal.units.models import Unit
from portal.web import render, wants_fragment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- helpers -------------------------------------------------------------------------------

def _roster(roster_id: int, ability: Ability = Ability.ROSTER_VIEW) -> Roster:
    """The roster if the user sees it (else 404) and holds `ability` on its commune (else 403)."""
    roster = get_scoped_or_404(Roster, roster_id, current_user, Ability.ROSTER_VIEW)
    if ability is not Ability.ROSTER_VIEW and not can(current_user, ability, roster.unit):
        abort(403)
    return roster


def _person(roster: Roster, person_id: int) -> Person:
    person = get_scoped_or_404(Person, person_id, current_user, Ability.ROSTER_VIEW)
    if person.roster_id != roster.id:
        abort(404)
    return person


def _download(content: bytes, filename: str, mimetype: str):
    response = htmx_response(content, 200)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _refuse(exc: RosterError, roster: Roster, status: int = 409):
    """A refused action: the roster page again, with the reason, and nothing changed."""
    flash(str(exc), "error")
    return render_template("rosters/roster.html", **_roster_context(roster)), status


def _list_args(source=None):
    source = request.args if source is None else source
    zone = source.get("zone", "")
    status = source.get("status", "")
    return {
        "query": source.get("q", "")[:400],
        "zone": zone if zone in {z.value for z in Zone} else "",
        "status": status if status in STATUS_LABELS else "",
        "page": source.get("page", "1"),
    }


def _counts_context(roster: Roster) -> dict:
    """The roster's counts after an inline change, for the list the page shows (its URL's filters)."""
    args = _list_args(dict(parse_qsl(urlsplit(htmx.current_url or "").query)))
    return {"counts": services.roster_counts(roster), "people": _page(roster, args), "args": args}


def _with_counts(html: str, roster: Roster) -> str:
    return html + render_template("rosters/partials/_counts_oob.html", **_counts_context(roster))


def _page(roster: Roster, args: dict):
    page = args["page"] if str(args["page"]).isdigit() else 1
    return services.search_people(current_user, roster, args["query"], zone=args["zone"] or None,
                                  status=args["status"] or None, page=int(page))


def _people_context(roster: Roster) -> dict:
    """What the list of people (the search fragment) needs, and nothing more: a keystroke in
    the search box re-renders only this part."""
    args = _list_args()
    return {
        "roster": roster, "args": args, "people": _page(roster, args),
        "editable": roster.status in services.EDITABLE and can(current_user, Ability.ROSTER_EDIT, roster.unit),
    }


def _roster_context(roster: Roster, **extra) -> dict:
    context = _people_context(roster)
    editable = context["editable"]
    context.update({
        "may_review": can_review_roster(current_user, roster.unit),
        "may_export": can(current_user, Ability.ROSTER_EXPORT, roster.unit),
        "counts": services.roster_counts(roster), "timeline": services.roster_timeline(roster),
        "doubtful_count": len(services.doubtful_rows(roster)) if editable else 0,
        "confirm_form": ConfirmForm(formdata=None), "reason_form": ReasonForm(formdata=None),
        "zones": list(Zone), "status_labels": STATUS_LABELS, "labels": services.TIMELINE_LABELS,
    })
    if "form" not in extra and editable:
        extra["form"] = PersonForm(formdata=None)
    context.update(extra)
    return context


# --- rosters -------------------------------------------------------------------------------

@bp.route("/")
@require(Ability.ROSTER_VIEW)
def list_rosters():
    status = request.args.get("status", "")
    status = RosterStatus(status) if status in {s.value for s in RosterStatus} else None
    rosters = services.list_rosters(current_user, status)
    return render_template("rosters/index.html", rosters=rosters, status=status, statuses=list(RosterStatus),
                           counts=services.people_counts([r.id for r in rosters]),
                           missing=services.missing_rosters(current_user), open_form=OpenRosterForm(formdata=None))


@bp.route("/open", methods=["POST"])
@require(Ability.ROSTER_EDIT)
def open_roster():
    form = OpenRosterForm()
    if not form.validate_on_submit() or not (form.commune_id.data or "").isdigit() \
            or not (form.campaign_id.data or "").isdigit() or form.kind.data not in {k.value for k in RosterKind}:
        abort(400)
    commune = get_scoped_or_404(Unit, int(form.commune_id.data), current_user, Ability.ROSTER_EDIT, Unit.id)
    campaign = db.get_or_404(Campaign, int(form.campaign_id.data))
    try:
        roster = services.get_or_create_roster(current_user, commune, campaign, RosterKind(form.kind.data))
    except RosterError as exc:
        flash(str(exc), "error")
        return list_rosters.__wrapped__(), 409
    return redirect(url_for("rosters.show_roster", roster_id=roster.id), 303)


@bp.route("/<int:roster_id>")
@require(Ability.ROSTER_VIEW)
def show_roster(roster_id):
    roster = _roster(roster_id)
    # The search box (htmx) swaps the list alone: the counts, timeline and forms are not rebuilt.
    context = _people_context(roster) if wants_fragment() else _roster_context(roster)
    return render("rosters/roster.html", "rosters/partials/_people.html", **context)


@bp.route("/template-<kind>.xlsx")
@require(Ability.ROSTER_VIEW)
def download_template(kind):
    if kind not in {k.value for k in RosterKind}:
        abort(404)
    return _download(template_workbook(RosterKind(kind)), f"mau-danh-sach-{kind}.xlsx", XLSX)


# --- people --------------------------------------------------------------------------------

def _fill_from_card(form: PersonForm, card: dict) -> None:
    data = services.card_form_data(card)
    form.full_name.data, form.birth.data, form.cccd.data = data["full_name"], data["birth"], data["cccd"]
    form.address.data = data["address"]
    try:
        form.sex.data = parse_sex(data["sex"]).value
    except FieldError:
        form.sex.data = ""


@bp.route("/<int:roster_id>/people", methods=["POST"])
@require(Ability.ROSTER_EDIT)
def add_person(roster_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    form = PersonForm()
    card = form.scanned_card()
    if card:
        _fill_from_card(form, card)
        message = "Đã điền thông tin từ mã QR trên CCCD. Kiểm tra rồi bấm “Thêm vào danh sách”."
        return _add_form_response(roster, PersonForm(formdata=None, data=form.data_dict()), 200, notice=message)
    if not form.validate_on_submit():
        return _add_form_response(roster, form, 400)
    try:
        person = services.add_person(current_user, roster, form.data_dict())
    except RosterError as exc:
        form.add_errors(exc.errors)
        if roster.status not in services.EDITABLE:
            return _add_form_response(roster, form, 409) if wants_fragment() else _refuse(exc, roster)
        return _add_form_response(roster, form, 400)
    if wants_fragment():
        fresh = PersonForm(formdata=None)
        return render_template("rosters/partials/_add_result.html", roster=roster, form=fresh, person=person,
                               editable=True, confirm_form=ConfirmForm(formdata=None),
                               notice=f"Đã thêm {person.full_name}.", **_counts_context(roster))
    flash(f"Đã thêm {person.full_name}." + (" Lưu ý: " + person.warnings if person.warnings else ""), "success")
    return redirect(url_for("rosters.show_roster", roster_id=roster.id), 303)


def _add_form_response(roster, form, status, notice=None):
    if wants_fragment():
        return render_template("rosters/partials/_add_form.html", roster=roster, form=form, notice=notice), status
    return render_template("rosters/roster.html", **_roster_context(roster, form=form, notice=notice)), status


@bp.route("/<int:roster_id>/validate/<field>", methods=["POST"])
@require(Ability.ROSTER_EDIT)
def validate_field(roster_id, field):
    """Inline check of one field of the person form: the same form, one field back."""
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    prefix = request.args.get("prefix", "")
    if field not in PersonForm.VALIDATABLE or not (prefix == "" or re.fullmatch(r"e\d{1,12}", prefix)):
        abort(404)
    form = PersonForm(prefix=prefix)
    form.validate()
    html = render_template("rosters/partials/_field.html", field=form[field], help=form.help_for(field),
                           warning=form.cccd_warning() if field == "cccd" else None, roster=roster, prefix=prefix)
    if field in PersonForm.CHECKS_CCCD and (form.cccd.data or "").strip() and not form.cccd.errors:
        html += render_template("rosters/partials/_field.html", field=form.cccd, help=form.help_for("cccd"),
                                warning=form.cccd_warning(), roster=roster, prefix=prefix, oob=True)
    return html


@bp.route("/<int:roster_id>/people/<int:person_id>")
@require(Ability.ROSTER_VIEW)
def show_person(roster_id, person_id):
    """The person's page; for htmx ("cancel" of an inline edit) the roster row as it was."""
    roster = _roster(roster_id)
    person = _person(roster, person_id)
    editable = roster.status in services.EDITABLE and can(current_user, Ability.ROSTER_EDIT, roster.unit)
    if wants_fragment():
        response = render_template("rosters/partials/_person_rows.html", roster=roster, rows=[person],
                                   editable=editable)
        return response, 200, {"Vary": "HX-Request"}
    record = services.view_person(current_user, person)
    response = render_template("rosters/person.html", roster=roster, record=record, editable=editable,
                               history_labels=HISTORY_LABELS, field_labels=FIELD_LABELS)
    return response, 200, {"Vary": "HX-Request"}


@bp.route("/<int:roster_id>/people/<int:person_id>/edit", methods=["GET", "POST"])
@require(Ability.ROSTER_EDIT)
def edit_person(roster_id, person_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    person = _person(roster, person_id)
    prefix = f"e{person.id}"
    if request.method == "GET":
        form = PersonForm(formdata=None, data=services.person_form_data(person), prefix=prefix)
        return _edit_response(roster, person, form, 200)
    form = PersonForm(prefix=prefix)
    if not form.validate_on_submit():
        return _edit_response(roster, person, form, 400)
    try:
        services.update_person(current_user, person, form.data_dict())
    except RosterError as exc:
        form.add_errors(exc.errors)
        return _edit_response(roster, person, form, 400 if roster.status in services.EDITABLE else 409)
    if wants_fragment():
        return _with_counts(render_template("rosters/partials/_person_rows.html", roster=roster, rows=[person],
                                            editable=True, confirm_form=ConfirmForm(formdata=None), saved=True),
                            roster)
    flash(f"Đã lưu {person.full_name}.", "success")
    return redirect(url_for("rosters.show_roster", roster_id=roster.id), 303)


def _edit_response(roster, person, form, status):
    template = "rosters/partials/_person_edit_row.html" if wants_fragment() else "rosters/person_edit.html"
    return render_template(template, roster=roster, person=person, form=form), status


@bp.route("/<int:roster_id>/people/<int:person_id>/remove", methods=["GET", "POST"])
@require(Ability.ROSTER_EDIT)
def remove_person(roster_id, person_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    person = _person(roster, person_id)
    form = ConfirmForm()
    # htmx asked the browser's confirm() first; without JavaScript a page asks.
    if request.method == "GET" or not (htmx or request.form.get("confirmed") == "yes"):
        return render_template("rosters/person_remove.html", roster=roster, person=person,
                               form=ConfirmForm(formdata=None))
    if not form.validate_on_submit():
        abort(400)
    name = person.full_name
    try:
        services.remove_person(current_user, person)
    except RosterError as exc:
        if wants_fragment():  # the row stays; the reason shows in the page's message area
            flash(str(exc), "error")
            return htmx_response(render_template("layout/_flash.html"), 409, retarget="#flash", reswap="outerHTML")
        return _refuse(exc, roster)
    if wants_fragment():
        return _with_counts("", roster)
    flash(f"Đã xóa {name} khỏi danh sách.", "success")
    return redirect(url_for("rosters.show_roster", roster_id=roster.id), 303)


# --- import --------------------------------------------------------------------------------

@bp.route("/<int:roster_id>/import", methods=["GET", "POST"])
@require(Ability.ROSTER_EDIT)
def import_roster(roster_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    form = ImportForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.file.data
            try:
                batch = services.preview_import(current_user, roster, upload.filename or "", upload.read())
            except (RosterError, services.ImportFileError) as exc:
                form.file.errors = [str(exc)]
            else:
                return redirect(url_for("rosters.show_import", roster_id=roster.id, batch_id=batch.id), 303)
        status = 400
    return render_template("rosters/import.html", roster=roster, form=form), status


def _batch(roster: Roster, batch_id: int) -> ImportBatch:
    batch = get_scoped_or_404(ImportBatch, batch_id, current_user, Ability.ROSTER_EDIT)
    if batch.roster_id != roster.id:
        abort(404)
    return batch


@bp.route("/<int:roster_id>/imports/<int:batch_id>")
@require(Ability.ROSTER_EDIT)
def show_import(roster_id, batch_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    batch = _batch(roster, batch_id)
    rows = batch_rows(batch, limit=500)
    return render_template("rosters/import_preview.html", roster=roster, batch=batch, rows=rows, raw=row_raw,
                           messages=row_messages, labels=FIELD_LABELS, form=ConfirmForm(formdata=None),
                           shown=len(rows), total=batch.rejected + batch.warned)


@bp.route("/<int:roster_id>/imports/<int:batch_id>/commit", methods=["POST"])
@require(Ability.ROSTER_EDIT)
def commit_import(roster_id, batch_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    batch = _batch(roster, batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        analysis = services.commit_import(current_user, batch)
    except (RosterError, services.ImportFileError) as exc:
        return _refuse(exc, roster)
    message = f"Đã nhập {len(analysis.accepted)} người vào danh sách."
    if analysis.rejected:
        message += f" {len(analysis.rejected)} dòng bị từ chối đang chờ xử lý."
    flash(message, "success")
    return redirect(url_for("rosters.show_roster", roster_id=roster.id), 303)


@bp.route("/<int:roster_id>/imports/<int:batch_id>/cancel", methods=["POST"])
@require(Ability.ROSTER_EDIT)
def cancel_import(roster_id, batch_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    batch = _batch(roster, batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.cancel_import(current_user, batch)
    except RosterError as exc:
        return _refuse(exc, roster)
    flash("Đã hủy, danh sách không thay đổi.", "info")
    return redirect(url_for("rosters.show_roster", roster_id=roster.id), 303)


@bp.route("/<int:roster_id>/imports/<int:batch_id>/rejected.xlsx")
@require(Ability.ROSTER_EDIT)
def download_rejected(roster_id, batch_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    batch = _batch(roster, batch_id)
    rows = [r for r in batch_rows(batch) if r.rejected]
    content = rows_workbook(roster.kind, rows)
    from portal import audit
    audit.record(current_user, "roster.rejected_download", batch, unit=roster.unit_id, changes={"rows": len(rows)})
    return _download(content, f"dong-bi-tu-choi-{batch.id}.xlsx", XLSX)


# --- doubtful rows -------------------------------------------------------------------------

def _doubtful_row(roster: Roster, row_id: int) -> ImportRow:
    row = get_scoped_or_404(ImportRow, row_id, current_user, Ability.ROSTER_EDIT)
    if row.roster_id != roster.id or not row.rejected or row.resolved_at is not None:
        abort(404)
    return row


@bp.route("/<int:roster_id>/doubtful")
@require(Ability.ROSTER_EDIT)
def list_doubtful(roster_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    return render_template("rosters/doubtful.html", roster=roster, rows=services.doubtful_rows(roster), raw=row_raw,
                           messages=row_messages, labels=FIELD_LABELS, form=ConfirmForm(formdata=None))


@bp.route("/<int:roster_id>/doubtful.xlsx")
@require(Ability.ROSTER_EDIT)
def download_doubtful(roster_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    rows = services.doubtful_rows(roster)
    from portal import audit
    audit.record(current_user, "roster.rejected_download", roster, unit=roster.unit_id, changes={"rows": len(rows)})
    return _download(rows_workbook(roster.kind, rows), f"dong-cho-xu-ly-{roster.id}.xlsx", XLSX)


@bp.route("/<int:roster_id>/doubtful/<int:row_id>/dismiss", methods=["POST"])
@require(Ability.ROSTER_EDIT)
def dismiss_doubtful(roster_id, row_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    row = _doubtful_row(roster, row_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.dismiss_doubtful_row(current_user, row)
    flash(f"Đã bỏ qua dòng {row.row_number}.", "info")
    return redirect(url_for("rosters.list_doubtful", roster_id=roster.id), 303)


@bp.route("/<int:roster_id>/doubtful/<int:row_id>/fix", methods=["GET", "POST"])
@require(Ability.ROSTER_EDIT)
def fix_doubtful(roster_id, row_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    row = _doubtful_row(roster, row_id)
    if request.method == "GET":
        raw = row_raw(row)
        data = {k: str(raw.get(k) or "") for k in ("full_name", "birth", "cccd", "phone", "address")}
        for name, parse in (("sex", parse_sex),):
            try:
                data[name] = parse(raw.get(name)).value
            except FieldError:
                data[name] = ""
        form = PersonForm(formdata=None, data=data)
        return render_template("rosters/doubtful_fix.html", roster=roster, row=row, form=form,
                               messages=form.attach_row_messages(row_messages(row)))
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = services.add_person(current_user, roster, form.data_dict())
        except RosterError as exc:
            form.add_errors(exc.errors)
        else:
            services.dismiss_doubtful_row(current_user, row, added=True)
            flash(f"Đã thêm {person.full_name} vào danh sách.", "success")
            return redirect(url_for("rosters.list_doubtful", roster_id=roster.id), 303)
    return render_template("rosters/doubtful_fix.html", roster=roster, row=row, form=form,
                           messages=form.attach_row_messages(row_messages(row), attach=False)), 400


# --- workflow ------------------------------------------------------------------------------

def _workflow(roster, action):
    try:
        action()
    except RosterError as exc:
        return _refuse(exc, roster)
    except StaleDataError:
        db.session.rollback()
        return _refuse(RosterError("Danh sách vừa được người khác thay đổi. Vui lòng xem lại."), roster)
    return None


@bp.route("/<int:roster_id>/submit", methods=["POST"])
@require(Ability.ROSTER_EDIT)
def submit_roster(roster_id):
    roster = _roster(roster_id, Ability.ROSTER_EDIT)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refused = _workflow(roster, lambda: services.submit_roster(current_user, roster))
    if refused:
        return refused
    flash("Đã gửi danh sách lên cấp trên để duyệt.", "success")
    return redirect(url_for("rosters.show_roster", roster_id=roster.id), 303)


def _reviewable(roster_id) -> Roster:
    roster = _roster(roster_id, Ability.ROSTER_REVIEW)
    return roster


@bp.route("/<int:roster_id>/review", methods=["POST"])
@require(Ability.ROSTER_REVIEW)
def review_roster(roster_id):
    roster = _reviewable(roster_id)
    form = ReasonForm()
    decision = request.form.get("decision", "")
    if not form.validate_on_submit() or decision not in ("approve", "return", "reopen"):
        return _refuse(RosterError("Thao tác không hợp lệ."), roster, 400)
    if not can_review_roster(current_user, roster.unit):
        return _refuse(RosterError("Danh sách của xã/phường thuộc quận/huyện do quận/huyện duyệt."), roster)
    actions = {
        "approve": (lambda: services.approve_roster(current_user, roster), "Đã phê duyệt danh sách."),
        "return": (lambda: services.return_roster(current_user, roster, form.reason.data), "Đã trả lại danh sách."),
        "reopen": (lambda: services.reopen_roster(current_user, roster, form.reason.data), "Đã mở lại danh sách."),
    }
    action, message = actions[decision]
    refused = _workflow(roster, action)
    if refused:
        return refused
    flash(message, "success")
    return redirect(url_for("rosters.show_roster", roster_id=roster.id), 303)


# --- export --------------------------------------------------------------------------------

@bp.route("/<int:roster_id>/export.<fmt>")
@require(Ability.ROSTER_EXPORT)
def export_roster(roster_id, fmt):
    roster = _roster(roster_id, Ability.ROSTER_EXPORT)
    if fmt not in ("xlsx", "csv"):
        abort(404)
    content, filename, mimetype = services.export_roster(current_user, roster, fmt)
    return _download(content, filename, mimetype)
