"""Arbitrary input into the directive and task forms: never a 500, never a half-written change."""
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from portal.directives.models import Directive, Task, TaskEvent
from portal.extensions import db
from portal.units.services import by_code
from tests.conftest import log_in

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@FUZZ
@given(number=text, issued_on=text, doc_type=text, excerpt=text, issuer=text)
def test_directive_form_never_fails(app, client, number, issued_on, doc_type, excerpt, issuer):
    log_in(client, "vanphong")
    before = _count(Directive)
    response = client.post("/directives/new", data={"number_symbol": number, "issued_on": issued_on,
                                                    "doc_type": doc_type, "excerpt": excerpt, "issuer": issuer})
    assert response.status_code in (302, 400)
    assert _count(Directive) == before + (1 if response.status_code == 302 else 0)


@FUZZ
@given(body=text, percent=text, version=text)
def test_progress_form_never_fails(app, client, body, percent, version):
    task = db.session.scalars(select(Task).where(Task.lead_unit_id == by_code("00001").id)
                              .order_by(Task.id.desc())).first()
    log_in(client, "xa1")
    before = _count(TaskEvent)
    response = client.post(f"/tasks/{task.id}/progress", data={"text": body, "percent": percent, "version": version})
    assert response.status_code in (302, 400, 409)
    assert _count(TaskEvent) == before + (1 if response.status_code == 302 else 0)


@FUZZ
@given(content=text, deadline=text, rhythm=text, lead=text)
def test_task_form_never_fails(app, client, content, deadline, rhythm, lead):
    directive = db.session.scalars(select(Directive).order_by(Directive.id)).first()
    log_in(client, "vanphong")
    before = _count(Task)
    response = client.post(f"/directives/{directive.id}/tasks", data={
        "content": content, "deadline": deadline, "rhythm": rhythm, "lead_unit": lead})
    assert response.status_code in (302, 400)
    assert _count(Task) == before + (1 if response.status_code == 302 else 0)
