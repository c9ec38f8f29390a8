"""Name search paths: one letter or two (the ordered walk), three and more (on SQLite the trigram
index of migration 0009 first), rare and common texts, a zone filter, every page: always the
people whose folded name holds the text, in the roster's order, counted up to the ceiling.
The index follows additions, renamings and removals."""
import math

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.rosters import services
from portal.rosters.models import Person, Zone
from portal.text import fold
from tests.rosters.roster_helpers import person_data, roster_of


def _expected(roster, text: str, zone: Zone | None = None) -> list[int]:
    """The reference, in Python: every person of the roster whose folded name holds the text."""
    people = db.session.scalars(select(Person).where(Person.roster_id == roster.id)).all()
    return [p.id for p in sorted(people, key=lambda p: (p.sort_key, p.id))
            if fold(text) in p.name_folded and (zone is None or p.zone is zone)]


def _found(roster, text: str, **kw) -> list[int]:
    return [p.id for p in services.search_people(None, roster, text, **kw).items]


def _add(roster, name, **kw):
    return services.add_person(None, roster, person_data(full_name=name, cccd="", phone="", **kw))


def _texts(roster) -> list[str]:
    """Texts of every length from the roster's own names: the start of a name, a given name,
    the middle of a name, and one letter."""
    names = db.session.scalars(select(Person.name_folded).where(Person.roster_id == roster.id)
                               .order_by(Person.id).limit(40)).all()
    texts = {"n", "ng", "ngu", "nguyen", "thi", "van", "an", "zzq"}
    for name in names[::8]:
        texts.update({name[:2], name[:3], name[:7], name, name.split()[-1], name[2:6]})
    return sorted(t for t in texts if t.strip())


def test_every_text_finds_the_same_people_in_the_same_order_on_the_first_page(app):
    roster = roster_of()
    for text in _texts(roster):
        expected = _expected(roster, text)
        page = services.search_people(None, roster, text, per_page=5)
        ceiling = (1 + services.COUNT_AHEAD_PAGES) * 5
        assert [p.id for p in page.items] == expected[:5], text
        assert (page.total, page.more) == ((ceiling, True) if len(expected) > ceiling else (len(expected), False)), text


def test_every_page_of_a_text_and_a_zone_filter_agree_with_the_reference(app):
    roster = roster_of()
    for text, zone in (("ng", None), ("nguyen", None), ("thi", Zone.LOCKDOWN), ("an", Zone.HIGH_RISK), ("van", None)):
        expected = _expected(roster, text, zone)
        pages = max(1, math.ceil(len(expected) / 5))
        seen = []
        for number in range(1, pages + 1):
            page = services.search_people(None, roster, text, zone=zone.value if zone else None, per_page=5, page=number)
            assert page.page == number
            seen += [p.id for p in page.items]
        assert seen == expected, (text, zone)


def test_a_rare_name_of_three_letters_or_more_and_its_last_page(app):
    roster = roster_of()
    added = [_add(roster, name, birth=str(1960 + i)) for i, name in enumerate(
        ("Quách Thị Xuyến", "Khúc Văn Xuyên", "Đặng Xuân Đạt"))]
    assert _found(roster, "xuye") == [p.id for p in sorted(added[:2], key=lambda p: (p.sort_key, p.id))]
    assert _found(roster, "xuy") == _expected(roster, "xuy")
    beyond = services.search_people(None, roster, "xuye", page=40)
    assert (beyond.page, beyond.total, [p.id for p in beyond.items]) == (1, 2, _expected(roster, "xuye"))
    assert _found(roster, "xuyen khuc") == []


@pytest.mark.parametrize("text", ["Đặng Xuân Đạt", "đặng xuân đạt", "ĐẶNG XUÂN ĐẠT", "dang xuan dat", "DANG XUAN DAT",
                                  "xuân đ", "n đạt", "Đạt", "đ"])
def test_diacritics_case_and_d_with_stroke_are_folded(app, text):
    roster = roster_of()
    person = _add(roster, "Đặng Xuân Đạt", birth="1961")
    found = services.search_people(None, roster, text, per_page=1000)
    assert person in found.items
    assert [p.id for p in found.items] == _expected(roster, text)


def test_characters_with_a_meaning_to_the_index_or_to_like_are_plain_text(app):
    roster = roster_of()
    person = _add(roster, "Lê Văn Tý", birth="1962")
    assert person in services.search_people(None, roster, "le van ty").items
    for text in ('"le van"', '"', '""', "le OR ty", "le*", "NEAR(le ty)", "%%%", "_an", "le_van", "le%ty", "ty^", "-le"):
        assert _found(roster, text, per_page=1000) == _expected(roster, text), text


def test_the_index_follows_additions_renamings_and_removals(app):
    roster = roster_of()
    person = _add(roster, "Kiều Thị Yểu", birth="1963")
    assert _found(roster, "kieu thi yeu") == [person.id]
    data = services.person_form_data(person) | {"full_name": "Kiều Thị Ngoãn"}
    services.update_person(None, person, data)
    assert _found(roster, "kieu thi yeu") == []
    assert _found(roster, "kieu thi ngoan") == [person.id]
    services.remove_person(None, person)
    assert _found(roster, "kieu thi ngoan") == []


def test_a_cccd_prefix_of_every_length_finds_the_person(app):
    roster = roster_of()
    person = db.session.scalars(select(Person).where(Person.roster_id == roster.id, Person.cccd.is_not(None))
                                .order_by(Person.id.desc())).first()
    for length in range(3, 13):
        found = services.search_people(None, roster, person.cccd[:length], per_page=1000)
        assert person in found.items, length
        assert all(p.cccd.startswith(person.cccd[:length]) or (p.phone or "").startswith(person.cccd[:length])
                   for p in found.items)
    spaced = " ".join((person.cccd[:3], person.cccd[3:6], person.cccd[6:]))
    assert person in services.search_people(None, roster, spaced).items
