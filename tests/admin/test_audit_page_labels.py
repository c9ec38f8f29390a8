"""The audit page speaks Vietnamese: action and object labels (code as fallback), readable
changes, a select for object types. It stays read-only."""
from __future__ import annotations

from portal import audit
from portal.extensions import db


def _rows(client, query=""):
    return client.get("/admin/audit" + query, headers={"HX-Request": "true"}).get_data(as_text=True)


def test_actions_and_objects_have_vietnamese_labels_and_unknown_codes_fall_back(app, client, login_as):
    audit.record(None, "person.add", object_type="person", object_id="41",
                 changes={"fields": ["birth_date", "birth_year"], "issue": True, "active": False,
                          "on": "2021-09-10", "empty": None})
    audit.record(None, "zzz.unknown", object_type="mystery", object_id="1")
    db.session.commit()
    login_as("admin")
    rows = _rows(client)
    assert "Thêm người vào danh sách</span> · Người dân #41" in rows
    assert "person.add person.add" not in rows
    assert "fields: birth_date, birth_year" in rows
    assert "issue: Có" in rows and "active: Không" in rows
    assert "on: 10/09/2021" in rows and "2021-09-10" not in rows
    assert "[" not in rows.split("Người dân #41")[1].split("</tr>")[0]
    assert "zzz.unknown" in rows and "mystery #1" in rows


def test_object_type_is_a_select_with_vietnamese_names(app, client, login_as):
    login_as("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert '<select id="object" name="object">' in page
    assert '<option value="person">Người dân</option>' in page
    assert '<option value="roster">Danh sách</option>' in page
    assert client.get("/admin/audit?object=roster").status_code == 200
    response = client.get("/admin/audit?object=nonsense")
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ." in response.get_data(as_text=True)


def test_readable_value_rules():
    assert audit.readable_value(True) == "Có"
    assert audit.readable_value([False, True]) == "Không, Có"
    assert audit.readable_value("2021-09-10") == "10/09/2021"
    assert audit.readable_value(None) == "—"
    assert audit.readable_value(178) == "178"
