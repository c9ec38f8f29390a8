"""`flask --app wsgi backup create DIR` and `backup restore FILE`: every table comes back."""
import threading

from sqlalchemy import inspect, select, text

from portal import audit
from portal.auth.models import User
from portal.extensions import db
from tests.figures import count


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (alembic_version included), in a stable order."""
    db.session.remove()
    tables = {}
    with db.engine.connect() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
            tables[name] = sorted((tuple(r) for r in rows), key=repr)
    return tables


def test_backup_then_restore_brings_every_table_back(app, runner, tmp_path):
    db.session.add(audit.record(None, "marker", object_type="test", object_id="1"))
    db.session.commit()
    before = _snapshot()
    assert sum(len(rows) for rows in before.values()) > 20

    result = runner.invoke(args=["backup", "create", str(tmp_path / "saved")])
    assert result.exit_code == 0, result.output
    backup_file = tmp_path / "saved" / result.output.strip().rsplit("/", 1)[1]
    assert backup_file.is_file()

    # Life goes on after the backup: changes that the restore must undo.
    xa1 = db.session.scalars(select(User).where(User.username == "xa1")).one()
    xa1.full_name = "Đã Đổi Tên"
    db.session.add(User(username="moi", full_name="Người Mới", password_hash="x"))
    audit.record(None, "after_backup", object_type="test")
    db.session.commit()
    assert _snapshot() != before

    result = runner.invoke(args=["backup", "restore", str(backup_file), "--yes"])
    assert result.exit_code == 0, result.output
    assert _snapshot() == before
    # The portal keeps serving on the restored data.
    assert app.test_client().get("/login").status_code == 200


def test_restore_asks_before_replacing_everything(app, runner, tmp_path):
    result = runner.invoke(args=["backup", "create", str(tmp_path)])
    path = result.output.strip()
    result = runner.invoke(args=["backup", "restore", path], input="n\n")
    assert result.exit_code != 0


def test_restore_of_a_bad_file_changes_nothing(app, runner, tmp_path):
    before = _snapshot()
    bad = tmp_path / "hong.sqlite3"
    bad.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["backup", "restore", str(bad), "--yes"])
    count("faults_injected")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    missing = runner.invoke(args=["backup", "restore", str(tmp_path / "khong-co.db"), "--yes"])
    assert missing.exit_code != 0
    assert _snapshot() == before


def test_backup_while_the_portal_writes_is_consistent(app, tmp_path):
    """Writers keep inserting during the backup: the copy holds a whole number of their
    transactions (each writes two rows that belong together) and opens cleanly."""
    from portal import backup

    stop = threading.Event()
    errors = []

    def writer():
        with app.app_context():
            try:
                i = 0
                while not stop.is_set():
                    audit.record(None, "pair", object_type="test", object_id=f"a{i}")
                    audit.record(None, "pair", object_type="test", object_id=f"b{i}")
                    db.session.commit()
                    i += 1
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        paths = [backup.create_backup(tmp_path / f"b{n}") for n in range(3)]
    finally:
        stop.set()
        thread.join()
    count("concurrent_writes", 3)
    assert errors == []
    if db.engine.dialect.name == "sqlite":
        import sqlite3

        for path in paths:
            conn = sqlite3.connect(path)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            pairs = conn.execute("SELECT count(*) FROM audit_event WHERE action = 'pair'").fetchone()[0]
            assert pairs % 2 == 0
            conn.close()
