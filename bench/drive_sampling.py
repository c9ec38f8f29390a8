"""Sampling at the point, as the clerk's screen sends it: POST the scanned CCCD to the site's
record endpoint (htmx request, CSRF header), one new person per request."""
from __future__ import annotations

from bench import http, inproc, populate
from bench.data import PeopleFactory
from portal.extensions import db


def prepare(world, scale: float) -> dict:
    """Testing rosters of the clerks' communes, filled once per database: {commune code: [cccd]}."""
    if getattr(world, "_sampling_people", None) is None:
        from portal.timeutil import local_today

        per_commune = max(200, int(1500 * scale))
        factory = PeopleFactory(seed=99)
        people = {}
        with inproc.app_for(world):
            from portal.units.services import by_code

            for _username, code in world.accounts.clerks:
                unit = by_code(code)
                roster = populate.roster(unit.id, world.campaign_id, "testing")
                adults = [p for p in factory.people(per_commune * 2, unit.name) if p.cccd][:per_commune]
                populate.insert_people(roster, adults, local_today())
                people[code] = [p.cccd for p in adults]
            db.session.commit()
        world._sampling_people = people
    return world._sampling_people


def requests(world, base, clerks, scale, reverse: bool = False) -> list[dict]:
    """Interleaved across clerks so that every sampling point works at once."""
    people = prepare(world, scale)
    codes = dict(world.accounts.clerks)
    per_clerk = []
    for session in clerks:
        code = codes[session.username]
        cccds = people[code][::-1] if reverse else people[code]
        path = f"/sampling/sites/{world.sites[code]}/record"
        per_clerk.append([http.request("POST", path, session, {"q": c}, hx=True) for c in cccds])
    out = []
    for group in zip(*per_clerk):
        out.extend(group)
    return out
