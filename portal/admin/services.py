"""Administration: accounts and grants. Every change is audited."""
from __future__ import annotations

from sqlalchemy import func, select

from portal import audit
from portal.auth import services as auth_services
from portal.auth.models import Grant, Role, User
from portal.extensions import db
from portal.text import clean, fold
from portal.units.models import Unit


class AdminError(ValueError):
    """A refused administrative change; the message is for the user."""


def find_user(username: str) -> User | None:
    return db.session.scalars(select(User).where(func.lower(User.username) == username.strip().lower())).first()


def create_user(actor: User, username: str, full_name: str, password: str) -> User:
    username = username.strip().lower()
    if find_user(username):
        raise AdminError(f"Tên đăng nhập '{username}' đã được dùng.")
    user = User(username=username, full_name=clean(full_name), password_hash=auth_services.hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create_user", user, changes={"username": username, "full_name": user.full_name})
    return user


def add_grant(actor: User, user: User, role: Role, unit: Unit) -> Grant:
    if any(g.role == role and g.unit_id == unit.id for g in user.grants):
        raise AdminError("Người dùng đã có vai trò này tại đơn vị này.")
    grant = Grant(role=role, unit=unit)
    user.grants.append(grant)
    db.session.flush()
    audit.record(actor, "add_grant", user, unit=unit, changes={"role": role.value, "unit": unit.code})
    return grant


def remove_grant(actor: User, user: User, grant_id: int) -> None:
    grant = next((g for g in user.grants if g.id == grant_id), None)
    if grant is None:
        raise AdminError("Không tìm thấy vai trò này.")
    if grant.role == Role.ADMIN and user.id == actor.id:
        raise AdminError("Không thể tự gỡ quyền quản trị của chính mình.")
    audit.record(actor, "remove_grant", user, unit=grant.unit, changes={"role": grant.role.value, "unit": grant.unit.code})
    user.grants.remove(grant)
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise AdminError("Không thể tự khóa tài khoản của chính mình.")
    if user.active == active:
        return
    user.active = active
    if not active:
        auth_services.end_all_sessions(user)
    audit.record(actor, "activate_user" if active else "deactivate_user", user, changes={"active": [not active, active]})
    db.session.flush()


def reset_password(actor: User, user: User, new_password: str) -> None:
    auth_services.change_password(actor, user, new_password, action="reset_password")


def reset_second_factor(actor: User, user: User) -> None:
    """Forget the user's TOTP secret (a lost phone): the next sign-in enrols again."""
    if user.totp_secret is None:
        return
    user.totp_secret = None
    user.totp_last_step = None
    auth_services.end_all_sessions(user)
    audit.record(actor, "reset_totp", user, changes={"totp": "reset"})
    db.session.flush()


def update_profile(actor: User, user: User, full_name: str) -> None:
    full_name = clean(full_name)
    if user.full_name != full_name:
        audit.record(actor, "update_user", user, changes={"full_name": [user.full_name, full_name]})
        user.full_name = full_name
        db.session.flush()


def list_users(query: str = "") -> list[User]:
    """Accounts matching a diacritics-insensitive query on username or full name."""
    users = list(db.session.scalars(select(User).order_by(User.username)))
    q = fold(query)
    return [u for u in users if q in u.username or q in fold(u.full_name)] if q else users


def users_with_grant_on(unit: Unit) -> list[User]:
    return list(db.session.scalars(select(User).where(User.grants.any(unit_id=unit.id)).order_by(User.username)))
