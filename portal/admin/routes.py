from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.admin import bp, services
from portal.admin.forms import (
    ActiveForm, GrantForm, ProfileForm, RemoveGrantForm, ResetPasswordForm, UnitForm, UserCreateForm,
)
from portal import audit
from portal.auth.models import Role, User
from portal.extensions import db
from portal.permissions import Ability, require
from portal.units import services as unit_services
from portal.units.models import Unit, UnitKind
from portal.web import render


@bp.route("/")
@require(Ability.ADMIN_USERS)
def index():
    return redirect(url_for("admin.list_users"))


@bp.route("/units")
@require(Ability.ADMIN_UNITS)
def list_units():
    query = request.args.get("q", "").strip()
    if query:
        units = unit_services.search_units(query)
        return render("admin/units.html", "admin/partials/_unit_results.html", query=query, units=units, roots=None)
    roots = unit_services.root_units()
    return render("admin/units.html", "admin/partials/_unit_results.html", query="", units=None, roots=roots)


@bp.route("/units/<int:unit_id>")
@require(Ability.ADMIN_UNITS)
def show_unit(unit_id):
    unit = db.get_or_404(Unit, unit_id)
    users = services.users_with_grant_on(unit)
    return render("admin/unit.html", "admin/partials/_unit_children.html", unit=unit, users=users)


def _save_unit(form, unit=None):
    """Validate and save; returns the saved unit or None with the error put on the form."""
    if not form.validate_on_submit():
        return None
    try:
        return unit_services.save_unit(current_user, form.code.data, form.name.data, UnitKind(form.kind.data),
                                       form.parent_code.data or "", form.health_authority.data, unit=unit)
    except unit_services.UnitError as exc:
        form.parent_code.errors.append(str(exc))
        return None


@bp.route("/units/new", methods=["GET", "POST"])
@require(Ability.ADMIN_UNITS)
def create_unit():
    form = UnitForm(parent_code=request.args.get("parent", ""))
    unit = _save_unit(form)
    if unit:
        flash(f"Đã tạo đơn vị {unit.name}.", "success")
        return redirect(url_for("admin.show_unit", unit_id=unit.id))
    return render_template("admin/unit_form.html", form=form, unit=None), 400 if form.errors else 200


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@require(Ability.ADMIN_UNITS)
def edit_unit(unit_id):
    unit = db.get_or_404(Unit, unit_id)
    form = UnitForm(obj=unit, kind=unit.kind.value, parent_code=unit.parent.code if unit.parent else "")
    form.code.data = unit.code  # the code is the unit's identity in imports and reports: never edited
    saved = _save_unit(form, unit)
    if saved:
        flash("Đã lưu đơn vị.", "success")
        return redirect(url_for("admin.show_unit", unit_id=unit.id))
    return render_template("admin/unit_form.html", form=form, unit=unit), 400 if form.errors else 200


@bp.route("/users")
@require(Ability.ADMIN_USERS)
def list_users():
    query = request.args.get("q", "")
    users = services.list_users(query)
    return render("admin/users.html", "admin/partials/_user_rows.html", users=users, query=query)


@bp.route("/users/new", methods=["GET", "POST"])
@require(Ability.ADMIN_USERS)
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, form.username.data, form.full_name.data, form.password.data)
            services.add_grant(current_user, user, Role(form.role.data), form.unit_code.unit)
        except services.AdminError as exc:
            form.username.errors.append(str(exc))
        else:
            flash(f"Đã tạo tài khoản {user.username}.", "success")
            return redirect(url_for("admin.show_user", user_id=user.id))
    return render_template("admin/user_new.html", form=form), 400 if form.errors else 200


def _user_page(user, status=200, **forms):
    context = {
        "profile_form": ProfileForm(obj=user, formdata=None),
        "grant_form": GrantForm(formdata=None),
        "password_form": ResetPasswordForm(formdata=None),
        "active_form": ActiveForm(formdata=None),
        "remove_form": RemoveGrantForm(formdata=None),
        "events": audit.search_events(object_type="user_account", object_id=str(user.id), limit=20),
    }
    context.update(forms)
    return render_template("admin/user.html", user=user, **context), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require(Ability.ADMIN_USERS)
def show_user(user_id):
    user = db.get_or_404(User, user_id)
    if request.method == "POST":
        form = ProfileForm()
        if not form.validate_on_submit():
            return _user_page(user, 400, profile_form=form)
        services.update_profile(current_user, user, form.full_name.data)
        flash("Đã lưu.", "success")
        return redirect(url_for("admin.show_user", user_id=user.id))
    return _user_page(user)


@bp.route("/users/<int:user_id>/grants", methods=["POST"])
@require(Ability.ADMIN_USERS)
def add_grant(user_id):
    user = db.get_or_404(User, user_id)
    form = GrantForm()
    if form.validate_on_submit():
        try:
            services.add_grant(current_user, user, Role(form.role.data), form.unit_code.unit)
        except services.AdminError as exc:
            form.unit_code.errors.append(str(exc))
        else:
            flash("Đã thêm vai trò.", "success")
            return redirect(url_for("admin.show_user", user_id=user.id))
    return _user_page(user, 400, grant_form=form)


@bp.route("/users/<int:user_id>/grants/remove", methods=["POST"])
@require(Ability.ADMIN_USERS)
def remove_grant(user_id):
    user = db.get_or_404(User, user_id)
    form = RemoveGrantForm()
    if not form.validate_on_submit() or not form.grant_id.data.isdigit():
        abort(400)
    try:
        services.remove_grant(current_user, user, int(form.grant_id.data))
    except services.AdminError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.show_user", user_id=user.id)), 409
    flash("Đã gỡ vai trò.", "success")
    return redirect(url_for("admin.show_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require(Ability.ADMIN_USERS)
def reset_password(user_id):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _user_page(user, 400, password_form=form)
    services.reset_password(current_user, user, form.password.data)
    flash(f"Đã đặt lại mật khẩu cho {user.username}; mọi phiên đăng nhập của tài khoản này đã kết thúc.", "success")
    return redirect(url_for("admin.show_user", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@require(Ability.ADMIN_USERS)
def toggle_active(user_id):
    user = db.get_or_404(User, user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_active(current_user, user, not user.active)
    except services.AdminError as exc:
        flash(str(exc), "error")
    else:
        flash("Đã mở khóa tài khoản." if user.active else "Đã khóa tài khoản.", "success")
    return redirect(url_for("admin.show_user", user_id=user.id))


@bp.route("/audit")
@require(Ability.VIEW_AUDIT)
def audit_log():
    filters = {k: request.args.get(k, "").strip() for k in ("user", "unit", "object", "action")}
    events = audit.search_events(
        username=filters["user"], unit_code=filters["unit"], object_type=filters["object"], action=filters["action"]
    )
    return render("admin/audit.html", "admin/partials/_audit_rows.html", events=events, filters=filters)
