"""Search as you type: the matches of a text are counted only a few pages ahead; lists without a
text are counted exactly; pages past the end and CCCD/phone prefixes still behave."""
import math

from sqlalchemy import func, select

from portal.extensions import db
from portal.rosters import services
from portal.rosters.models import Person
from tests.rosters.roster_helpers import count_people, roster_of


def _matching(roster, text: str) -> int:
    return db.session.scalar(select(func.count()).where(Person.roster_id == roster.id,
                                                        Person.name_folded.contains(text)))


def test_a_text_is_counted_a_few_pages_ahead_and_a_list_without_text_exactly(app):
    roster = roster_of()
    everyone = services.search_people(None, roster, per_page=5)
    assert (everyone.total, everyone.more) == (count_people(roster), False)
    matching = _matching(roster, "n")
    ceiling = (1 + services.COUNT_AHEAD_PAGES) * 5
    assert matching > ceiling  # the demo roster: most names hold an "n"
    first = services.search_people(None, roster, "n", per_page=5)
    assert (first.total, first.more, len(first.items)) == (ceiling, True, 5)
    last_page = math.ceil(matching / 5)
    last = services.search_people(None, roster, "n", per_page=5, page=last_page)
    assert (last.total, last.more, last.page) == (matching, False, last_page)


def test_a_page_past_the_end_shows_the_last_page_with_the_exact_total(app):
    roster = roster_of()
    matching = _matching(roster, "n")
    beyond = services.search_people(None, roster, "n", per_page=5, page=10_000)
    assert (beyond.total, beyond.more, beyond.page) == (matching, False, math.ceil(matching / 5))
    assert beyond.items and len(beyond.items) == matching - (beyond.page - 1) * 5


def test_a_rare_text_is_counted_from_its_only_page(app):
    roster = roster_of()
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id)).first()
    found = services.search_people(None, roster, person.full_name)
    assert person in found.items and found.total == len(found.items) and not found.more


def test_a_short_number_prefix_is_bounded_and_a_full_one_is_exact(app):
    roster = roster_of()
    people = db.session.scalars(select(Person).where(Person.roster_id == roster.id, Person.cccd.is_not(None))).all()
    wide = services.search_people(None, roster, "0", per_page=5)
    assert wide.more and wide.total == (1 + services.COUNT_AHEAD_PAGES) * 5
    assert all(p.cccd.startswith("0") or (p.phone or "").startswith("0") for p in wide.items)
    names = [p.sort_key for p in wide.items]
    assert names == sorted(names)
    exact = services.search_people(None, roster, people[0].cccd)
    assert people[0] in exact.items and not exact.more


def test_the_fragment_says_more_when_counting_stopped(login_as, monkeypatch):
    client = login_as("xa1")
    roster = roster_of()
    monkeypatch.setattr(services, "COUNT_AHEAD_PAGES", 1)
    ceiling = 2 * services.PAGE_SIZE
    assert _matching(roster, "n") > ceiling
    text = client.get(f"/rosters/{roster.id}?q=n", headers={"HX-Request": "true"}).text
    assert f"Hơn {ceiling} người khớp “n” · trang 1/2+" in text and "Trang 1 / 2+" in text and 'rel="next"' in text
