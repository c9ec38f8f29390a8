from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth import bp
from portal.auth import services
from portal.auth.forms import ChangePasswordForm, LoginForm, LogoutForm
from portal.extensions import db
from portal.permissions import Ability, public, require
from portal.timeutil import utcnow


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes home."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data, request.remote_addr)
        if result.user:
            session.clear()  # a fresh session at login
            login_user(result.user)
            session["login_at"] = session["seen_at"] = utcnow().timestamp()
            return redirect(_safe_next(form.next.data))
        flash(result.error, "error")
        status = 429 if result.error.startswith("Đăng nhập sai quá nhiều") else 200
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@require(Ability.VIEW_HOME)
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        services.end_all_sessions(current_user)
        db.session.flush()
        logout_user()
        session.clear()
        flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@require(Ability.CHANGE_OWN_PASSWORD)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.verify_password(current_user, form.current.data):
            form.current.errors.append("Mật khẩu hiện tại không đúng.")
        else:
            user = current_user._get_current_object()
            services.change_password(user, user, form.new.data)
            logout_user()
            session.clear()
            flash("Đã đổi mật khẩu. Vui lòng đăng nhập lại.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


def check_session_age():
    """Before each request: end sessions idle too long or older than the absolute limit."""
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    cfg = current_app.config
    seen, started = session.get("seen_at", 0), session.get("login_at", 0)
    if now - seen > cfg["SESSION_IDLE_TIMEOUT"].total_seconds() or now - started > cfg["SESSION_ABSOLUTE_TIMEOUT"].total_seconds():
        logout_user()
        session.clear()
        flash("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.", "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    session["seen_at"] = now
    return None
