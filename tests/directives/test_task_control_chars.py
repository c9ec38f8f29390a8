from sqlalchemy import select
from portal.directives.models import Task
from portal.extensions import db
from portal.units.services import by_code
from tests.conftest import log_in


def test_control_characters_are_dropped_not_a_500(app, client):
    task = db.session.scalars(select(Task).where(Task.lead_unit_id == by_code("00001").id)
                              .order_by(Task.id.desc())).first()
    log_in(client, "xa1")
    response = client.post(f"/tasks/{task.id}/progress", data={"text": "a\x00b\x1b", "percent": "1",
                                                                "version": str(task.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert task.events[-1].text == "ab"
    for url in ("/directives?q=%00x&issuer=%00", "/tasks?q=%00"):
        assert client.get(url).status_code == 200
    log_in(client, "vanphong")
    response = client.post("/directives/new", data={"number_symbol": "5/UBND\x00", "issued_on": "01/01/2021",
                                                    "doc_type": "cong_van", "excerpt": "a\x00b", "issuer": "x\x00"})
    assert response.status_code == 302
