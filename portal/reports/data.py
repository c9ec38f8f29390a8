"""Data snapshots: each report's figures gathered once into plain JSON-ready dicts.

The templates render only from a snapshot, so an issued report can be rendered again from what
was stored. The rules themselves (coverage, task status, Vietnamese order) belong to their domains;
this module only asks them."""
from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.reports.formatting import vn_number, vn_percent
from portal.rosters.models import Person, Roster, RosterKind, Zone
from portal.text import name_sort_key
from portal.timeutil import format_date

ZONE_ORDER = [Zone.LOCKDOWN, Zone.HIGH_RISK, Zone.OTHER]


def roster_people_rows(people) -> dict:
    """Group people by zone (lockdown first), each group in Vietnamese name order, STT running on."""
    by_zone: dict[Zone, list] = {z: [] for z in ZONE_ORDER}
    for person in people:
        by_zone[person.zone].append(person)
    groups, stt = [], 0
    for zone in ZONE_ORDER:
        members = sorted(by_zone[zone], key=lambda p: (name_sort_key(p.full_name), p.birth_year, p.id))
        if not members:
            continue
        rows = []
        for person in members:
            stt += 1
            rows.append({
                "stt": stt,
                "name": person.full_name,
                "birth": format_date(person.birth_date) if person.birth_date else str(person.birth_year),
                "sex": person.sex.label,
                "cccd": person.cccd or "",
                "address": person.address or "",
            })
        groups.append({"zone": zone.value, "zone_label": zone.label, "people": rows})
    return {"groups": groups, "total": stt}


def gather_roster(roster: Roster, site_name: str | None = None, progress=None) -> dict:
    people = db.session.scalars(select(Person).where(Person.roster_id == roster.id)).all()
    if progress:
        progress(30)
    data = roster_people_rows(people)
    data.update({
        "roster_id": roster.id,
        "roster_kind": roster.kind.value,
        "unit_name": roster.unit.name,
        "campaign": roster.campaign.name,
        "site_name": site_name or "",
    })
    return data


def roster_excerpt(data: dict) -> tuple[str, str, str]:
    """Title, excerpt and sub-line of a roster printout."""
    if data["roster_kind"] == RosterKind.VACCINATION.value:
        excerpt = "Người được tiêm vắc xin phòng COVID-19"
    else:
        excerpt = "Người được lấy mẫu xét nghiệm SARS-CoV-2"
    if data["site_name"]:
        sub = f"{data['site_name']} ({data['unit_name']}) — {data['campaign']}"
    else:  # no site chosen: the whole roster of the commune, not a point named after it
        sub = f"Toàn bộ danh sách của {data['unit_name']} — {data['campaign']}"
    return "DANH SÁCH", excerpt, sub


__all__ = ["gather_roster", "roster_excerpt", "roster_people_rows", "vn_number", "vn_percent"]
