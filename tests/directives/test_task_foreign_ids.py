"""Every directives route that takes an id, tried by a unit that is not on the object: 403 or 404,
never the object's content, and nothing changed."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.directives.models import Attachment, Directive, Task, TaskEvent
from portal.extensions import db
from portal.units.services import by_code
from tests.conftest import log_in

ID_PARAMS = {"task_id", "attachment_id", "directive_id"}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_another_units_ids_are_not_found_on_every_directives_route(app, client):
    from flask import url_for

    task = db.session.scalars(select(Task).where(Task.lead_unit_id == by_code("SGTVT").id)).first()
    attachment = db.session.scalars(select(Attachment).join(Task, Attachment.task_id == Task.id)
                                    .where(Task.lead_unit_id == by_code("00001").id)).first()
    hidden = Directive(unit_id=by_code("01").id, number_symbol="9/TB-UBND", doc_type="thong_bao",
                       issuer="UBND thành phố Hà Nội", issuer_folded="ubnd thanh pho ha noi",
                       issued_on=task.directive.issued_on, issued_year=2021, signer="", excerpt="Mật: nội bộ",
                       body="", search_folded="mat noi bo")
    db.session.add(hidden)
    db.session.commit()
    values = {"task_id": task.id, "attachment_id": attachment.id, "directive_id": hidden.id}
    before = (_count(TaskEvent), _count(Attachment), _count(AuditEvent))
    tried = 0
    for username in ("xa2", "congan", "chuyenvien", "thuky"):
        log_in(client, username)
        from flask import g

        g.pop("_login_user", None)
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("directives.") or not (set(rule.arguments) & ID_PARAMS):
                continue
            with app.test_request_context():
                url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(url, method=method, data={"version": "1", "text": "x", "reason": "x",
                                                             "summary": "x", "contribution": "x"})
            assert response.status_code in (403, 404), (username, url, response.status_code)
            body = response.get_data(as_text=True)
            assert "Chuẩn bị nhân lực" not in body and "Mật: nội bộ" not in body
            tried += 1
    assert tried >= 4 * 16
    assert (_count(TaskEvent), _count(Attachment), _count(AuditEvent)) == before
