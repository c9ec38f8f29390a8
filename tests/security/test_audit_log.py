"""The audit log: filters (user, unit, object, id, dates) and no way to change it (ASVS 7.3.x, 8.3.5)."""
from datetime import datetime

import pytest
from sqlalchemy import select, text

from portal import audit
from portal.audit import AuditEvent, AuditLogIsAppendOnly
from portal.config import ROOT
from portal.extensions import db
from tests.conftest import log_in
from tests.figures import count
from tests.test_route_matrix import _build, _method, _routes


def _event(action, at, object_id="7"):
    event = audit.record(None, action, object_type="roster", object_id=object_id)
    event.at = at
    return event


@pytest.fixture
def dated_events(app):
    _event("e_sep04_late", datetime(2021, 9, 4, 16, 59))  # 04/09 23:59 in Vietnam
    _event("e_sep05_early", datetime(2021, 9, 4, 17, 30))  # 05/09 00:30 in Vietnam
    _event("e_sep06", datetime(2021, 9, 6, 10, 0), object_id="8")
    _event("e_sep07_last", datetime(2021, 9, 7, 16, 59))  # 07/09 23:59 in Vietnam
    _event("e_sep08", datetime(2021, 9, 8, 1, 0))
    db.session.commit()


def _actions(client, query, **headers):
    response = client.get("/admin/audit?" + query, headers=headers)
    body = response.get_data(as_text=True)
    return response, {a for a in ("e_sep04_late", "e_sep05_early", "e_sep06", "e_sep07_last", "e_sep08") if a in body}


def test_filter_by_vietnamese_date_range(client, login_as, dated_events):
    login_as("admin")
    response, found = _actions(client, "date_from=05/09/2021&date_to=07/09/2021")
    assert response.status_code == 200
    assert found == {"e_sep05_early", "e_sep06", "e_sep07_last"}
    _, found = _actions(client, "date_from=06/09/2021")
    assert found == {"e_sep06", "e_sep07_last", "e_sep08"}
    _, found = _actions(client, "date_to=04/09/2021")
    assert found == {"e_sep04_late"}


def test_filter_by_object_id(client, login_as, dated_events):
    login_as("admin")
    _, found = _actions(client, "object=roster&object_id=8")
    assert found == {"e_sep06"}


def test_filters_work_as_an_htmx_fragment(client, login_as, dated_events):
    login_as("admin")
    response, found = _actions(client, "date_from=08/09/2021", **{"HX-Request": "true"})
    assert found == {"e_sep08"}
    assert "</html>" not in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


def test_a_bad_date_gets_a_vietnamese_message(client, login_as):
    login_as("admin")
    for bad in ["31/02/2021", "2021-09-05", "5/9", "abc", "٠٥/٠٩/٢٠٢١", "05/09/20211", "00/00/0000"]:
        response = client.get("/admin/audit", query_string={"date_from": bad})
        count("hostile_inputs")
        assert response.status_code == 400, bad
        assert "Ngày phải có dạng ngày/tháng/năm" in response.get_data(as_text=True)


def test_an_end_before_the_start_is_refused(client, login_as):
    login_as("admin")
    response = client.get("/admin/audit?date_from=07/09/2021&date_to=05/09/2021")
    assert response.status_code == 400
    assert "Ngày kết thúc phải sau ngày bắt đầu" in response.get_data(as_text=True)


def _audit_rows():
    db.session.expire_all()
    with db.engine.connect() as conn:
        return {tuple(r) for r in conn.execute(text("SELECT * FROM audit_event"))}


def test_no_route_changes_or_deletes_an_audit_entry(app, client, dated_events):
    """Every route, GET and POST (with junk), as the administrator: entries are only added."""
    before = _audit_rows()
    log_in(client, "admin")
    for rule in _routes(app):
        if rule.endpoint == "auth.logout":
            continue
        url = _build(app, rule)
        for method in {_method(rule), "POST"} & set(rule.methods):
            response = client.open(url, method=method, data={"id": "1", "at": "x", "action": "delete", "object_id": "7"})
            count("hostile_inputs")
            count("server_errors", response.status_code >= 500)
            assert response.status_code < 500
    after = _audit_rows()
    assert before <= after  # nothing changed or removed; new entries may be added


def test_changing_an_entry_is_refused_by_the_session_guard(app, dated_events):
    event = db.session.scalars(select(AuditEvent).limit(1)).one()
    event.action = "forged"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(AuditEvent).limit(1)).one())
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    count("faults_injected", 2)


def test_postgresql_refuses_update_and_delete_of_entries(app, dated_events):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event", "TRUNCATE audit_event"):
        with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement))
        count("faults_injected")


def test_only_the_audit_module_touches_the_audit_table():
    """No code path but audit.record writes the table (a review check kept as a test)."""
    offenders = []
    for path in (ROOT / "portal").rglob("*.py"):
        if path.name == "audit.py" or path.name == "models.py" and path.parent.name == "portal":
            continue
        source = path.read_text(encoding="utf-8")
        if "AuditEvent" in source or "audit_event" in source:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
