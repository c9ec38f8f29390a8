"""Configuration, read once from the environment."""
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-not-secret"


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{ROOT / 'instance' / 'portal.db'}"
    # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants a driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    PORTAL_ENV = os.environ.get("PORTAL_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions: signed cookies, so any app server can read them.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("PORTAL_SECURE_COOKIES")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("PORTAL_IDLE_MINUTES", "30")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Failed logins allowed per account and per address before a pause.
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("PORTAL_LOGIN_LIMIT_ACCOUNT", "5 per 5 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("PORTAL_LOGIN_LIMIT_ADDRESS", "20 per 5 minutes")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False

    # Argon2id cost; tests lower it to keep the suite fast.
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 65536

    MAX_CONTENT_LENGTH = int(os.environ.get("PORTAL_MAX_UPLOAD_MB", "10")) * 1024 * 1024
    UPLOAD_DIR = os.environ.get("PORTAL_UPLOAD_DIR", str(ROOT / "instance" / "uploads"))
    PAGE_SIZE = 50
    # Roster imports: file size, data rows, and the bounds on unzipping an .xlsx.
    ROSTER_IMPORT_MAX_BYTES = int(os.environ.get("PORTAL_ROSTER_IMPORT_MAX_MB", "10")) * 1024 * 1024
    ROSTER_IMPORT_MAX_ROWS = int(os.environ.get("PORTAL_ROSTER_IMPORT_MAX_ROWS", "100000"))
    ROSTER_IMPORT_MAX_UNZIPPED = 300 * 1024 * 1024
    ROSTER_IMPORT_MAX_RATIO = 200

    # Directives and tasks: "due soon" window, per-file limit of report attachments, and an
    # optional fixed day for status derivation (ISO date; replays a past day, e.g. the 2021 demo).
    DUE_SOON_DAYS = int(os.environ.get("PORTAL_DUE_SOON_DAYS", "3"))
    ATTACHMENT_MAX_BYTES = int(os.environ.get("PORTAL_ATTACHMENT_MAX_MB", "5")) * 1024 * 1024
    STATUS_TODAY = os.environ.get("PORTAL_STATUS_TODAY") or None
    # Optional e-mail for task events (off unless both are set): mailbox = username@MAIL_DOMAIN.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DOMAIN = os.environ.get("MAIL_DOMAIN", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "")


class TestConfig(Config):
    TESTING = True
    PORTAL_ENV = "test"
    SECRET_KEY = "test-secret"
    PASSWORD_TIME_COST = 1
    PASSWORD_MEMORY_COST = 8
    RATELIMIT_STORAGE_URI = "memory://"
