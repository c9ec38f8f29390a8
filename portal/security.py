"""Sign-in plumbing and the protections every response gets."""
from __future__ import annotations

from flask import Flask, request
from sqlalchemy import select

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
    if app.config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None):
        raise UnsafeProductionConfig("SECRET_KEY must be set in production.")
    if app.debug:
        raise UnsafeProductionConfig("Debug mode must be off in production.")


@login_manager.user_loader
def load_user(cookie_id: str):
    from portal.auth.models import User

    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.scalars(select(User).where(User.id == int(user_id))).first()
    if user is None or not user.active or user.session_token != token:
        return None
    return user


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
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(check_session_age)
    app.after_request(_headers)
