"""Template helpers of portal/templating.py."""
from flask import url_for

from portal.templating import url_by_id


def test_url_by_id_gives_what_url_for_gives_for_every_id(app):
    with app.test_request_context():
        for endpoint in ("rosters.show_person", "rosters.edit_person", "rosters.remove_person"):
            for roster_id in (1, 98, 987_654):
                build = url_by_id(endpoint, "person_id", roster_id=roster_id)
                for person_id in (1, 7, 98, 987_654, 10**12):
                    assert build(person_id) == url_for(endpoint, roster_id=roster_id, person_id=person_id)


def test_url_by_id_also_puts_an_id_in_the_query_string(app):
    with app.test_request_context():
        build = url_by_id("rosters.list_rosters", "person_id", status="draft")
        assert build(42) == url_for("rosters.list_rosters", status="draft", person_id=42)
