"""Sign-in plumbing and the protections every response gets."""
from __future__ import annotations

from flask import Flask, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.config import DEFAULT_SECRET_KEY
from portal.extensions import db, login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class UnsafeProductionConfig(RuntimeError):
    pass


def check_production(app: Flask) -> None:
    """Production refuses to start with development secrets or debug on."""
    if app.config["PORTAL_ENV"] != "production":
        return
    if app.config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None) or len(str(app.config["SECRET_KEY"])) < 16:
        raise UnsafeProductionConfig("SECRET_KEY must be set in production (16 characters or more).")
    if app.debug or app.config.get("DEBUG"):
        raise UnsafeProductionConfig("Debug mode must be off in production.")


def check_demo_accounts(app: Flask) -> None:
    """Production refuses to start while a demo account still opens with the demo password.

    Runs at app start (so under gunicorn and every `flask` command). A database without
    tables yet (before `flask db upgrade`) passes. To clean up, run the commands once with
    PORTAL_ENV unset, or reset those passwords first."""
    if app.config["PORTAL_ENV"] != "production":
        return
    from sqlalchemy.exc import SQLAlchemyError

    from portal.auth import services
    from portal.auth.models import User
    from portal.demo.loader import ACCOUNTS, DEMO_PASSWORD

    with app.app_context():
        try:
            users = list(db.session.scalars(select(User).where(User.username.in_([a[0] for a in ACCOUNTS]))))
        except SQLAlchemyError:
            db.session.rollback()
            return
        try:
            present = [u.username for u in users if u.active and services.verify_password(u, DEMO_PASSWORD)]
        finally:
            db.session.remove()
    if present:
        raise UnsafeProductionConfig(
            "Demo accounts with the demo password are present: " + ", ".join(sorted(present))
        )


@login_manager.user_loader
def load_user(cookie_id: str):
    from portal.auth.models import User

    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    # The grants (and their units) come in the same statement: every request asks can().
    user = db.session.scalars(select(User).options(joinedload(User.grants))
                              .where(User.id == int(user_id))).unique().first()
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def _log_refusals(response):
    """Denied accesses and refused input go to the log: who, where, never what was typed."""
    status = response.status_code
    if status in (400, 403, 404, 409, 413, 422, 429):
        from flask import current_app
        from flask_login import current_user

        user = current_user.get_id().partition(":")[0] if current_user and current_user.is_authenticated else "-"
        kind = "validation failed" if status in (400, 409, 413, 422) else "access refused"
        current_app.logger.warning(
            "%s: status=%s user=%s method=%s endpoint=%s", kind, status, user, request.method, request.endpoint
        )
    return response


def _refuse_nul_characters():
    """No database stores a NUL character in text (PostgreSQL refuses it outright): a request
    carrying one in its query or form is refused here, for every form of every domain."""
    from flask import abort

    values = list(request.args.values())
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        values += list(request.form.values())
    if any("\x00" in value for value in values):
        abort(400)


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        # Pages may carry personal data: never kept in shared or browser caches.
        headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    from portal.auth.routes import check_session_age

    check_production(app)
    check_demo_accounts(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_refuse_nul_characters)
    app.before_request(check_session_age)
    app.after_request(_log_refusals)
    app.after_request(_headers)
