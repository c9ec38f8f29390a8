from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth import bp
from portal.auth import services
from portal.auth import totp
from portal.auth.forms import ChangePasswordForm, CodeForm, LoginForm, LogoutForm
from portal.auth.models import User
from portal.extensions import db
from portal.permissions import Ability, needs_second_factor, public, require
from portal.timeutil import utcnow


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes home. Browsers read a backslash as a slash
    ("/\\evil.example" is "//evil.example") and drop tabs and newlines: those are refused too."""
    if (target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc
            and "\\" not in target and not any(ord(ch) < 32 or ord(ch) == 127 for ch in target)):
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
            session.clear()  # a fresh session at login: nothing of the anonymous one survives
            if needs_second_factor(result.user):
                session["pending_user"] = result.user.get_id()
                session["pending_at"] = utcnow().timestamp()
                session["pending_next"] = _safe_next(form.next.data)
                endpoint = "auth.second_factor" if result.user.totp_secret else "auth.enrol_second_factor"
                return redirect(url_for(endpoint))
            return _finish_login(result.user, _safe_next(form.next.data))
        flash(result.error, "error")
        status = 429 if result.error.startswith("Đăng nhập sai quá nhiều") else 200
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


def _finish_login(user: User, target: str, message: str | None = None):
    services.complete_login(user, request.remote_addr)
    session.clear()
    login_user(user)
    session["login_at"] = session["seen_at"] = utcnow().timestamp()
    if message:
        flash(message, "success")
    return redirect(target)


PENDING_SECONDS = 300  # the password step is good for five minutes


def _pending_user() -> User | None:
    """The account whose password was just checked and which now owes its second factor."""
    user_id, _, token = str(session.get("pending_user", "")).partition(":")
    if not user_id.isdigit() or utcnow().timestamp() - session.get("pending_at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def _back_to_login():
    session.clear()
    flash("Vui lòng đăng nhập lại.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
@public
def second_factor():
    user = _pending_user()
    if user is None or not user.totp_secret:
        return _back_to_login()
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        problem = services.check_second_factor(user, form.code.data)
        if problem is None:
            return _finish_login(user, session.get("pending_next") or url_for("main.home"))
        form.code.errors.append(problem)
        status = 429 if problem.startswith("Đăng nhập sai quá nhiều") else 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/code.html", form=form), status


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def enrol_second_factor():
    """First sign-in of an account that needs a second factor: scan the QR code, confirm a code."""
    user = _pending_user()
    if user is None:
        return _back_to_login()
    if user.totp_secret:
        return redirect(url_for("auth.second_factor"))
    secret = session.get("enrol_secret")
    if not secret:
        secret = session["enrol_secret"] = totp.new_secret()
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        problem = services.enrol_second_factor(user, secret, form.code.data)
        if problem is None:
            return _finish_login(user, session.get("pending_next") or url_for("main.home"),
                                 "Đã bật xác thực hai lớp cho tài khoản.")
        form.code.errors.append(problem)
        status = 429 if problem.startswith("Đăng nhập sai quá nhiều") else 400
    elif request.method == "POST":
        status = 400
    uri = totp.provisioning_uri(secret, user.username)
    return render_template(
        "auth/enrol.html", form=form, qr=totp.qr_data_uri(uri), secret=totp.grouped(secret)
    ), status


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
