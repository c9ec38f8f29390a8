from sqlalchemy import select
from portal.directives.models import Task, TaskEvent
from portal.extensions import db
from portal.units.services import by_code
from tests.conftest import log_in


def _events(task):
    return db.session.scalar(select(db.func.count(TaskEvent.id)).where(TaskEvent.task_id == task.id))


def test_control_characters_are_dropped_and_nul_refused_never_a_500(app, client):
    task = db.session.scalars(select(Task).where(Task.lead_unit_id == by_code("00001").id)
                              .order_by(Task.id.desc())).first()
    log_in(client, "xa1")
    before = _events(task)
    # A NUL is refused for every form of every domain (portal/security.py), nothing written.
    response = client.post(f"/tasks/{task.id}/progress", data={"text": "a\x00b", "percent": "1",
                                                                "version": str(task.version)})
    assert response.status_code == 400 and _events(task) == before
    # Other control characters are dropped by the directives' forms.
    response = client.post(f"/tasks/{task.id}/progress", data={"text": "a\x1bb", "percent": "1",
                                                                "version": str(task.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert task.events[-1].text == "ab"
    for url in ("/directives?q=%00x&issuer=%00", "/tasks?q=%00"):
        assert client.get(url).status_code == 400
    for url in ("/directives?q=%1bx", "/tasks?q=%07"):
        assert client.get(url).status_code == 200
