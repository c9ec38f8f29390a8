"""Directives, tasks, their steps, files and the bell. Thin: parse, check, call a service, render."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.directives import bp, lists, mail, services, uploads, workflow
from portal.directives.forms import (
    AssignForm, CompletionForm, ContributionForm, DirectiveForm, EditTaskForm, ReasonForm, ReportForm, StepForm,
    TaskForm,
)
from portal.directives.models import DocType, EventKind, TaskState
from portal.directives.services import DirectiveError, StaleError, StepNotAllowed
from portal.directives.status import STATUS_ORDER, Rhythm
from portal.extensions import db
from portal.permissions import Ability, Step, allowed_steps, can, require, task_capacities
from portal.text import strip_controls
from portal.web import render


bp.record_once(lambda state: mail.init_listeners())


# --- Directives -------------------------------------------------------------------------------
def _filters() -> services.DirectiveFilters:
    year = request.args.get("year", "").strip()
    return services.DirectiveFilters(
        q=strip_controls(request.args.get("q", "")[:200]), doc_type=request.args.get("type", ""),
        issuer=strip_controls(request.args.get("issuer", "")[:200]), year=int(year) if year.isdigit() and len(year) == 4 else None,
        overdue_only=request.args.get("overdue") == "1",
    )


@bp.route("/directives")
@require(Ability.VIEW_TASKS)
def list_directives():
    filters = _filters()
    rows = services.search_directives(current_user, filters)
    issuers, years = services.issuers_and_years(current_user)
    return render("directives/list.html", "directives/partials/_directive_rows.html", rows=rows, filters=filters,
                  issuers=issuers, years=years, doc_types=list(DocType), statuses=STATUS_ORDER)


@bp.route("/directives/new", methods=["GET", "POST"])
@require(Ability.REGISTER_DIRECTIVES)
def register_directive():
    form = DirectiveForm()
    if form.validate_on_submit():
        try:
            directive = services.register_directive(
                current_user, services.may_register_in(current_user), number_symbol=form.number_symbol.data,
                doc_type=DocType(form.doc_type.data), issuer=form.issuer.data, issued_on=form.issued_on.data,
                signer=form.signer.data or "", excerpt=form.excerpt.data, body=form.body.data or "",
                file=form.file.data)
        except DirectiveError as exc:
            getattr(form, exc.field or "number_symbol").errors.append(str(exc))
        else:
            flash(f"Đã đăng ký văn bản {directive.number_symbol}.", "success")
            return redirect(url_for("directives.show_directive", directive_id=directive.id))
    return render_template("directives/new.html", form=form), 400 if form.errors else 200


def _directive_or_404(directive_id):
    directive = services.get_directive(current_user, directive_id)
    if directive is None:
        abort(404)
    return directive


def _directive_page(directive, status=200, task_form=None):
    if task_form is None and services.may_register_in(current_user) is not None:
        task_form = TaskForm(formdata=None)
    if task_form is not None:
        task_form.set_units(services.assignable_units(current_user))
    visible = services.visible_task_ids(current_user, directive)
    rows = lists.task_rows([t for t in directive.tasks if t.id in visible])
    return render_template("directives/show.html", directive=directive, rows=rows, task_form=task_form,
                           may_assign=directive.unit is not None and _may_assign(directive)), status


def _may_assign(directive) -> bool:
    return can(current_user, Ability.ASSIGN_TASKS, directive.unit)


@bp.route("/directives/<int:directive_id>")
@require(Ability.VIEW_TASKS)
def show_directive(directive_id):
    return _directive_page(_directive_or_404(directive_id))


@bp.route("/directives/<int:directive_id>/tasks", methods=["POST"])
@require(Ability.ASSIGN_TASKS)
def add_task(directive_id):
    directive = _directive_or_404(directive_id)
    if not _may_assign(directive):
        abort(404)
    form = TaskForm()
    units = services.assignable_units(current_user)
    form.set_units(units)
    if form.validate_on_submit():
        by_id = {u.id: u for u in units}
        try:
            task = services.add_task(
                current_user, directive, content=form.content.data, lead_unit=by_id[form.lead_unit.data],
                coordinators=[by_id[i] for i in form.coordinators.data or [] if i in by_id],
                deadline=form.deadline.data, rhythm=Rhythm(form.rhythm.data) if form.rhythm.data else None,
                target=form.target.data or "")
        except DirectiveError as exc:
            getattr(form, exc.field or "content").errors.append(str(exc))
        else:
            flash("Đã giao nhiệm vụ.", "success")
            return redirect(url_for("directives.show_task", task_id=task.id))
    return _directive_page(directive, 400, task_form=form)


@bp.route("/directives/<int:directive_id>/file")
@require(Ability.VIEW_TASKS)
def download_directive_file(directive_id):
    directive = _directive_or_404(directive_id)
    if not directive.file_stored:
        abort(404)
    try:
        path = uploads.path_of(directive.file_stored)
    except FileNotFoundError:
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=directive.file_name)


# --- Task lists ---------------------------------------------------------------------------------
@bp.route("/tasks")
@require(Ability.VIEW_TASKS)
def list_tasks():
    view = request.args.get("view", "mine")
    if view not in lists.VIEWS:
        view = "mine"
    q = strip_controls(request.args.get("q", "")[:200])
    rows = lists.list_tasks(current_user, view, q=q)
    return render("directives/tasks.html", "directives/partials/_task_table.html", rows=rows, view=view,
                  views=lists.VIEWS, q=q, show_directive=True)


@bp.route("/tasks/overview")
@require(Ability.ASSIGN_TASKS)
def overview():
    return render_template("directives/overview.html", units=lists.counts_by_unit(current_user),
                           statuses=STATUS_ORDER)


# --- One task and its steps ------------------------------------------------------------------------
def _task_or_404(task_id):
    task = services.get_task(current_user, task_id)
    if task is None:
        abort(404)
    return task


def _task_page(task, status=200, **forms):
    capacities = task_capacities(current_user, task)
    steps = allowed_steps(task.state.value, capacities, has_assignee=task.assignee_id is not None)
    version = {"version": task.version}
    defaults = {
        Step.EDIT: ("edit_form", lambda: EditTaskForm(formdata=None, obj=task, data=version)),
        Step.ACCEPT: ("accept_form", lambda: StepForm(formdata=None, data=version)),
        Step.ASSIGN: ("assign_form", lambda: AssignForm(formdata=None, data=version)),
        Step.REPORT_PROGRESS: ("report_form", lambda: ReportForm(formdata=None, data=version)),
        Step.SUBMIT_COMPLETION: ("completion_form", lambda: CompletionForm(formdata=None, data=version)),
        Step.HEAD_APPROVE: ("approve_form", lambda: StepForm(formdata=None, data=version)),
        Step.HEAD_RETURN: ("return_form", lambda: ReasonForm(formdata=None, data=version)),
        Step.OFFICE_ACCEPT: ("office_accept_form", lambda: StepForm(formdata=None, data=version)),
        Step.OFFICE_RETURN: ("return_form", lambda: ReasonForm(formdata=None, data=version)),
        Step.REOPEN: ("reopen_form", lambda: ReasonForm(formdata=None, data=version)),
        Step.CONTRIBUTE: ("contribution_form", lambda: ContributionForm(formdata=None)),
    }
    context = {}
    for step in steps:
        name, make = defaults[step]
        context[name] = forms.get(name) or make()
    if "assign_form" in context:
        _assign_choices(task, context["assign_form"])
    row = lists.task_rows([task])[0]
    return render_template("directives/task.html", task=task, row=row, steps=steps, Step=Step,
                           EventKind=EventKind, TaskState=TaskState, **context), status


def _refused(task, exc: DirectiveError, form_name: str, form):
    """A refused step: nothing changed; the page comes back with the user's input and a message."""
    task_id = task.id
    db.session.rollback()
    task = _task_or_404(task_id)
    if isinstance(exc, StaleError) and hasattr(form, "version"):
        form.version.data = str(task.version)  # the user has now seen the latest; a resubmit may pass
        form.version.raw_data = [form.version.data]
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and not isinstance(exc, StaleError):
        field.errors = list(field.errors) + [str(exc)]
    else:
        flash(str(exc), "error")
    current_app.logger.info("task step refused: task=%s user=%s reason=%s", task.id, current_user.id, exc)
    return _task_page(task, 409 if isinstance(exc, (StaleError, StepNotAllowed)) else 400,
                      **{form_name: form})


def _step(task_id, form_cls, form_name, action, message, prepare=None):
    task = _task_or_404(task_id)
    form = form_cls()
    if prepare:
        prepare(task, form)
    if not form.validate_on_submit():
        return _task_page(task, 400, **{form_name: form})
    try:
        action(task, form)
    except DirectiveError as exc:
        return _refused(task, exc, form_name, form)
    flash(message, "success")
    return redirect(url_for("directives.show_task", task_id=task.id))


def _version(form) -> int:
    return int(form.version.data)


@bp.route("/tasks/<int:task_id>")
@require(Ability.VIEW_TASKS)
def show_task(task_id):
    return _task_page(_task_or_404(task_id))


@bp.route("/tasks/<int:task_id>/edit", methods=["POST"])
@require(Ability.ASSIGN_TASKS)
def edit_task(task_id):
    return _step(task_id, EditTaskForm, "edit_form", lambda t, f: workflow.edit_task(
        current_user, t, content=f.content.data, deadline=f.deadline.data, target=f.target.data or "",
        version=_version(f)), "Đã lưu nhiệm vụ.")


@bp.route("/tasks/<int:task_id>/accept", methods=["POST"])
@require(Ability.LEAD_TASKS)
def accept_task(task_id):
    return _step(task_id, StepForm, "accept_form",
                 lambda t, f: workflow.accept_task(current_user, t, _version(f)), "Đã tiếp nhận nhiệm vụ.")


def _assign_choices(task, form):
    form.assignee.choices = [SelectChoice(u.id, u.full_name) for u in workflow.staff_of(task)]


@bp.route("/tasks/<int:task_id>/assign", methods=["POST"])
@require(Ability.LEAD_TASKS)
def assign_task(task_id):
    def act(task, form):
        assignee = next((u for u in workflow.staff_of(task) if u.id == form.assignee.data), None)
        if assignee is None:
            raise DirectiveError("Chỉ giao cho chuyên viên của đơn vị chủ trì.", "assignee")
        workflow.assign_task(current_user, task, assignee, _version(form))

    return _step(task_id, AssignForm, "assign_form", act, "Đã giao nhiệm vụ cho chuyên viên.", _assign_choices)


@bp.route("/tasks/<int:task_id>/progress", methods=["POST"])
@require(Ability.REPORT_TASKS)
def report_progress(task_id):
    return _step(task_id, ReportForm, "report_form", lambda t, f: workflow.report_progress(
        current_user, t, text=f.text.data, percent=f.percent.data, files=f.files.data, version=_version(f)),
        "Đã gửi báo cáo tiến độ.")


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@require(Ability.REPORT_TASKS)
def submit_completion(task_id):
    return _step(task_id, CompletionForm, "completion_form", lambda t, f: workflow.submit_completion(
        current_user, t, text=f.summary.data, files=f.summary_files.data, version=_version(f)),
        "Đã gửi báo cáo hoàn thành.")


@bp.route("/tasks/<int:task_id>/approve", methods=["POST"])
@require(Ability.LEAD_TASKS)
def approve_completion(task_id):
    return _step(task_id, StepForm, "approve_form", lambda t, f: workflow.approve_completion(
        current_user, t, _version(f), f.note.data or ""), "Đã duyệt báo cáo hoàn thành và gửi văn phòng.")


@bp.route("/tasks/<int:task_id>/return", methods=["POST"])
@require(Ability.LEAD_TASKS)
def head_return(task_id):
    return _step(task_id, ReasonForm, "return_form", lambda t, f: workflow.return_completion(
        current_user, t, f.reason.data, _version(f)), "Đã trả lại báo cáo.")


@bp.route("/tasks/<int:task_id>/office-accept", methods=["POST"])
@require(Ability.ASSIGN_TASKS)
def office_accept(task_id):
    return _step(task_id, StepForm, "office_accept_form", lambda t, f: workflow.office_accept(
        current_user, t, _version(f), f.note.data or ""), "Đã nghiệm thu nhiệm vụ.")


@bp.route("/tasks/<int:task_id>/office-return", methods=["POST"])
@require(Ability.ASSIGN_TASKS)
def office_return(task_id):
    return _step(task_id, ReasonForm, "return_form", lambda t, f: workflow.return_completion(
        current_user, t, f.reason.data, _version(f)), "Đã trả lại báo cáo cho đơn vị chủ trì.")


@bp.route("/tasks/<int:task_id>/reopen", methods=["POST"])
@require(Ability.ASSIGN_TASKS)
def reopen_task(task_id):
    return _step(task_id, ReasonForm, "reopen_form", lambda t, f: workflow.reopen_task(
        current_user, t, f.reason.data, _version(f)), "Đã mở lại nhiệm vụ.")


@bp.route("/tasks/<int:task_id>/contribute", methods=["POST"])
@require(Ability.CONTRIBUTE_TASKS)
def contribute(task_id):
    return _step(task_id, ContributionForm, "contribution_form", lambda t, f: workflow.add_contribution(
        current_user, t, text=f.contribution.data, files=f.contribution_files.data), "Đã gửi báo cáo phối hợp.")


@bp.route("/attachments/<int:attachment_id>")
@require(Ability.VIEW_TASKS)
def download_attachment(attachment_id):
    attachment = services.get_attachment(current_user, attachment_id)
    if attachment is None:
        abort(404)
    try:
        path = uploads.path_of(attachment.stored_name)
    except FileNotFoundError:
        abort(404)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True, download_name=attachment.file_name)


# --- The bell -------------------------------------------------------------------------------------
@bp.route("/notifications")
@require(Ability.VIEW_NOTIFICATIONS)
def notifications():
    return render_template("directives/notifications.html", items=lists.action_items(current_user))


@bp.route("/notifications/bell")
@require(Ability.VIEW_NOTIFICATIONS)
def bell():
    return render_template("directives/partials/_bell.html", bell_list=lists.action_items(current_user))


@bp.app_context_processor
def _bell_items():
    """The nav's bell asks for its items only when it is drawn."""
    def items():
        # Computed once per request (nav and home panels both ask); stored on the request itself.
        if not hasattr(request, "_bell_items"):
            request._bell_items = lists.action_items(current_user)
        return request._bell_items

    return {"bell_items": items}
