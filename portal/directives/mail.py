"""Optional e-mail for task events: off unless MAIL_SERVER and MAIL_DOMAIN are set.

Accounts map to mailboxes as username@MAIL_DOMAIN (the intranet's convention). Mails are queued
on the database session and sent only after the commit, so a refused or rolled-back step never
sends anything; a mail server that is down is logged, never shown to the user as an error."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, has_app_context, url_for
from sqlalchemy import event, select

from portal.auth.models import Grant, User
from portal.extensions import db
from portal.permissions import POLICY, Ability
from portal.units.models import Unit

QUEUE_KEY = "directives_mail"


def enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("MAIL_SERVER")) and bool(
        current_app.config.get("MAIL_DOMAIN"))


def users_with(ability: Ability, unit: Unit) -> list[User]:
    """Active users holding `ability` through a grant on `unit` or one of its ancestors."""
    ancestor_ids = [u.id for u in unit.ancestors()] + [unit.id]
    stmt = (select(User).join(Grant).where(Grant.role.in_(POLICY[ability]), Grant.unit_id.in_(ancestor_ids),
                                           User.active.is_(True)))
    return list(db.session.scalars(stmt).unique())


def queue(recipients, subject: str, text: str, task) -> None:
    """Queue one mail per recipient for after the commit (no-op when e-mail is off)."""
    if not enabled():
        return
    domain = current_app.config["MAIL_DOMAIN"]
    try:
        link = url_for("directives.show_task", task_id=task.id, _external=True)
    except RuntimeError:  # outside a request (CLI) without SERVER_NAME
        link = f"/tasks/{task.id}"
    pending = db.session.info.setdefault(QUEUE_KEY, [])
    for user in {u.id: u for u in recipients}.values():
        message = EmailMessage()
        message["From"] = current_app.config.get("MAIL_SENDER") or f"no-reply@{domain}"
        message["To"] = f"{user.username}@{domain}"
        message["Subject"] = subject
        message.set_content(f"{text}\n\nNhiệm vụ: {task.content}\nXem và xử lý: {link}\n")
        pending.append(message)


def _send(messages) -> None:
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.warning("task e-mail not sent (%d messages): %s", len(messages), exc)


def _after_commit(session) -> None:
    messages = session.info.pop(QUEUE_KEY, None)
    if messages and has_app_context():
        _send(messages)


def _after_rollback(session) -> None:
    session.info.pop(QUEUE_KEY, None)


def init_listeners() -> None:
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
