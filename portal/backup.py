"""Consistent copies of the database while the portal runs, and bringing one back.

SQLite: the online backup API (a consistent snapshot even while requests write; WAL mode).
PostgreSQL: pg_dump in its custom format, restored by pg_restore in one transaction. The
pg_dump used is the one of the server's major version when Debian has it installed
(/usr/lib/postgresql/<major>/bin), since an older pg_dump refuses a newer server.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.timeutil import utcnow


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message is for the operator."""


def _url():
    return make_url(db.engine.url.render_as_string(hide_password=False))


def _sqlite_path() -> Path:
    database = _url().database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(database)


def _libpq_url() -> str:
    url = _url().set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    """The client tool matching the server's major version, else the one on PATH."""
    with db.engine.connect() as conn:
        server_major = int(conn.execute(text("SHOW server_version_num")).scalar()) // 10000
    candidate = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"Không tìm thấy {name}; cài gói postgresql-client-{server_major}.")
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout
    major = int("".join(ch for ch in version.split()[-1].split(".")[0] if ch.isdigit()) or 0)
    if major < server_major:
        raise BackupError(f"{name} {major} cũ hơn máy chủ PostgreSQL {server_major}; cài postgresql-client-{server_major}.")
    return found


def create_backup(directory: Path) -> Path:
    """Write a consistent copy into `directory` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S-%f")
    if db.engine.dialect.name == "sqlite":
        target = directory / f"portal-{stamp}.sqlite3"
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # one step: a consistent snapshot even under concurrent writes
        finally:
            copy.close()
            source.close()
        return target
    if db.engine.dialect.name == "postgresql":
        target = directory / f"portal-{stamp}.pgdump"
        result = subprocess.run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), _libpq_url()],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            target.unlink(missing_ok=True)
            raise BackupError("pg_dump thất bại: " + result.stderr.strip()[:500])
        return target
    raise BackupError(f"Không hỗ trợ sao lưu {db.engine.dialect.name}.")


def restore_backup(path: Path) -> None:
    """Replace the whole database by the copy at `path` (all or nothing)."""
    if not path.is_file():
        raise BackupError(f"Không có tệp {path}.")
    db.session.remove()
    db.engine.dispose()
    if db.engine.dialect.name == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"Tệp {path.name} không phải bản sao lưu SQLite hợp lệ.") from exc
        if check != "ok":
            source.close()
            raise BackupError(f"Tệp {path.name} bị hỏng: {check}")
        live = sqlite3.connect(_sqlite_path(), timeout=30)
        try:
            source.backup(live)
        finally:
            live.close()
            source.close()
        return
    if db.engine.dialect.name == "postgresql":
        result = subprocess.run(
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--exit-on-error", "--dbname", _libpq_url(), str(path)],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise BackupError("pg_restore thất bại: " + result.stderr.strip()[:500])
        return
    raise BackupError(f"Không hỗ trợ khôi phục {db.engine.dialect.name}.")
