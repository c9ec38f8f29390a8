"""Accounts: password hashing, sign-in with throttling, password changes."""
from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from limits import parse
from sqlalchemy import func, or_, select, update

from portal import audit
from portal.auth.models import User, new_session_token
from portal.extensions import db, limiter
from portal.timeutil import utcnow

MIN_PASSWORD_LENGTH = 12  # ASVS 2.1.1
MAX_PASSWORD_LENGTH = 128  # ASVS 2.1.2: long passphrases welcome, unbounded input not


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["PASSWORD_TIME_COST"], memory_cost=cfg["PASSWORD_MEMORY_COST"], parallelism=1)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash of nothing, checked when the account does not exist, so that timing does not
# reveal which usernames are real.
_DUMMY = {}


def _dummy_verify(password: str) -> None:
    key = (current_app.config["PASSWORD_TIME_COST"], current_app.config["PASSWORD_MEMORY_COST"])
    if key not in _DUMMY:
        _DUMMY[key] = hash_password("not-a-password")
    try:
        _hasher().verify(_DUMMY[key], password)
    except VerificationError:
        pass


@dataclass
class LoginResult:
    user: User | None = None
    error: str | None = None


THROTTLED = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
INACTIVE = "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị."


def _limits():
    cfg = current_app.config
    return [
        (parse(cfg["LOGIN_LIMIT_PER_ACCOUNT"]), "login-account"),
        (parse(cfg["LOGIN_LIMIT_PER_ADDRESS"]), "login-address"),
    ]


def authenticate(username: str, password: str, address: str) -> LoginResult:
    """Check a sign-in. Failed attempts are counted per account and per address;
    past the limit every attempt is refused until the window passes."""
    username = (username or "").strip().lower()
    keys = {"login-account": username, "login-address": address or "-"}
    strategy = limiter.limiter
    for item, scope in _limits():
        if not strategy.test(item, scope, keys[scope]):
            reset_at, _ = strategy.get_window_stats(item, scope, keys[scope])
            minutes = max(1, round((reset_at - utcnow().timestamp()) / 60))
            current_app.logger.warning("login throttled: scope=%s", scope)
            return LoginResult(error=THROTTLED.format(minutes=minutes))

    user = db.session.scalars(select(User).where(func.lower(User.username) == username)).first()
    if user is None:
        _dummy_verify(password)
    if user is None or not verify_password(user, password):
        for item, scope in _limits():
            strategy.hit(item, scope, keys[scope])
        current_app.logger.warning("login failed from %s", address)
        return LoginResult(error=BAD_CREDENTIALS)
    if not user.active:
        return LoginResult(error=INACTIVE)

    strategy.clear(_limits()[0][0], "login-account", username)
    return LoginResult(user=user)


def complete_login(user: User, address: str | None) -> None:
    """Every factor checked: note the sign-in."""
    user.last_login_at = utcnow()
    audit.record(user, "login", user, address=address)
    db.session.flush()


BAD_CODE = "Mã xác thực không đúng hoặc đã được dùng. Vui lòng nhập mã mới trên ứng dụng."


def _code_throttle(user: User) -> str | None:
    item = parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])
    strategy = limiter.limiter
    if not strategy.test(item, "totp-account", str(user.id)):
        reset_at, _ = strategy.get_window_stats(item, "totp-account", str(user.id))
        minutes = max(1, round((reset_at - utcnow().timestamp()) / 60))
        current_app.logger.warning("second factor throttled: user=%s", user.id)
        return THROTTLED.format(minutes=minutes)
    return None


def check_second_factor(user: User, code: str, secret: str | None = None) -> str | None:
    """Verify a one-time code of `user` (or of a `secret` being enrolled). None when it is
    good; else the message to show. Wrong codes count against the account like wrong
    passwords; a code is accepted once."""
    from portal.auth import totp

    problem = _code_throttle(user)
    if problem:
        return problem
    secret = secret or user.totp_secret
    step = totp.matching_step(secret, code, user.totp_last_step) if secret else None
    if step is None:
        limiter.limiter.hit(parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]), "totp-account", str(user.id))
        current_app.logger.warning("second factor failed: user=%s", user.id)
        return BAD_CODE
    # Claim the step in the database, not only in memory: of two sign-ins racing with the same
    # code (PostgreSQL reads committed data, both may have read the old step), one updates the row.
    claimed = db.session.execute(
        update(User).where(User.id == user.id,
                           or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session="evaluate")).rowcount
    if claimed != 1:
        current_app.logger.warning("second factor failed: user=%s (code already used)", user.id)
        return BAD_CODE
    limiter.limiter.clear(parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]), "totp-account", str(user.id))
    return None


def enrol_second_factor(user: User, secret: str, code: str) -> str | None:
    """Keep `secret` as the user's second factor once a code from it checks out."""
    problem = check_second_factor(user, code, secret)
    if problem:
        return problem
    user.totp_secret = secret
    audit.record(user, "enrol_totp", user, changes={"totp": "enrolled"})
    db.session.flush()
    return None


def end_all_sessions(user: User) -> None:
    """Invalidate every login cookie of this user (logout everywhere)."""
    user.session_token = new_session_token()


def change_password(actor: User, user: User, new_password: str, *, action: str = "change_password") -> None:
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    audit.record(actor, action, user, changes={"password": "changed"})
    db.session.flush()


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Mật khẩu dài tối đa {MAX_PASSWORD_LENGTH} ký tự."
    return None
