"""Building and reading the unit tree."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from portal import audit
from portal.extensions import db
from portal.text import clean, fold
from portal.units.models import Unit, UnitKind

# Which kinds may hang below which: the tree may be two-level (province → commune)
# or three-level (province → district → commune).
ALLOWED_PARENTS = {
    UnitKind.PROVINCE: {None},
    UnitKind.DISTRICT: {UnitKind.PROVINCE},
    UnitKind.COMMUNE: {UnitKind.PROVINCE, UnitKind.DISTRICT},
    UnitKind.DEPARTMENT: {UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.DEPARTMENT},
    UnitKind.HEALTH_FACILITY: {UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.DEPARTMENT},
}

KIND_WORDS = {
    "province": UnitKind.PROVINCE, "tinh": UnitKind.PROVINCE, "thanh pho": UnitKind.PROVINCE,
    "district": UnitKind.DISTRICT, "huyen": UnitKind.DISTRICT, "quan": UnitKind.DISTRICT,
    "commune": UnitKind.COMMUNE, "xa": UnitKind.COMMUNE, "phuong": UnitKind.COMMUNE,
    "department": UnitKind.DEPARTMENT, "so": UnitKind.DEPARTMENT,
    "health_facility": UnitKind.HEALTH_FACILITY, "co so y te": UnitKind.HEALTH_FACILITY,
}


class UnitError(ValueError):
    """A unit that cannot be placed in the tree; the message is for the user."""


def by_code(code: str) -> Unit | None:
    return db.session.scalars(select(Unit).where(Unit.code == code)).first()


def upsert_unit(code: str, name: str, kind: UnitKind, parent: Unit | None,
                health_authority: bool = False) -> tuple[Unit, bool]:
    """Create the unit or update its name/kind/parent. Returns (unit, created)."""
    code, name = clean(code), clean(name)
    if not code or not name:
        raise UnitError("Mã và tên đơn vị không được để trống.")
    parent_kind = parent.kind if parent else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        where = parent.name if parent else "gốc cây"
        raise UnitError(f"Đơn vị {code} ({kind.label}) không thể trực thuộc {where}.")
    unit = by_code(code)
    created = unit is None
    if created:
        unit = Unit(code=code)
        db.session.add(unit)
    elif parent is not None and parent.is_within(unit) and unit.path:
        raise UnitError(f"Đơn vị {code} không thể trực thuộc chính nó.")
    unit.name, unit.kind, unit.parent = name, kind, parent
    unit.health_authority = health_authority
    unit.name_folded = fold(name)
    db.session.flush()
    _set_path(unit)
    return unit, created


def _set_path(unit: Unit) -> None:
    old = unit.path
    unit.path = (unit.parent.path if unit.parent else "/") + f"{unit.id}/"
    if old and old != unit.path:
        # Moved: every descendant's path follows.
        for child in db.session.scalars(select(Unit).where(Unit.path.startswith(old), Unit.id != unit.id)):
            child.path = unit.path + child.path[len(old):]
    db.session.flush()


def save_unit(actor, code: str, name: str, kind: UnitKind, parent_code: str,
              health_authority: bool, unit: Unit | None = None) -> Unit:
    """Create a unit, or change one (its code stays). Audited."""
    parent = by_code(parent_code.strip()) if parent_code.strip() else None
    if parent_code.strip() and parent is None:
        raise UnitError(f"Không tìm thấy đơn vị cha '{parent_code.strip()}'.")
    if unit is None and by_code(code.strip()):
        raise UnitError(f"Mã đơn vị '{code.strip()}' đã được dùng.")
    before = None if unit is None else {"name": unit.name, "kind": unit.kind.value,
                                         "parent": unit.parent.code if unit.parent else None,
                                         "health_authority": unit.health_authority}
    saved, created = upsert_unit(unit.code if unit else code, name, kind, parent, health_authority)
    after = {"name": saved.name, "kind": saved.kind.value, "parent": parent.code if parent else None,
             "health_authority": saved.health_authority}
    changes = after if created else {k: [before[k], v] for k, v in after.items() if before[k] != v}
    audit.record(actor, "create_unit" if created else "update_unit", saved, unit=saved, changes=changes)
    return saved


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_from_package(province_code: str) -> ImportReport:
    """Load one province and its communes (2025 two-level structure) from `vietnam-provinces`."""
    from vietnam_provinces import Province, ProvinceCode, Ward

    report = ImportReport()
    try:
        pcode = ProvinceCode(int(province_code))
    except ValueError as exc:
        raise UnitError(f"Không có tỉnh/thành phố mã {province_code}.") from exc
    province = Province.from_code(pcode)
    root, created = upsert_unit(f"{int(pcode):02d}", province.name, UnitKind.PROVINCE, None)
    report.created += created
    report.updated += not created
    for ward in Ward.iter_all():
        if ward.province_code != pcode:
            continue
        _, created = upsert_unit(f"{int(ward.code):05d}", ward.name, UnitKind.COMMUNE, root)
        report.created += created
        report.updated += not created
    return report


def parse_kind(value: str) -> UnitKind | None:
    return KIND_WORDS.get(fold(value).replace("-", " "))


def import_csv(text: str) -> ImportReport:
    """Load any tree from CSV with columns code, name, kind, parent_code (header row required)
    and optionally health_authority (1 for the health department). Parents must come before
    their children or already exist. All or nothing: on any error the caller rolls back."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    wanted = {"code", "name", "kind", "parent_code"}
    if not reader.fieldnames or not wanted <= {f.strip().lower() for f in reader.fieldnames}:
        raise UnitError("Tệp CSV cần các cột: code, name, kind, parent_code.")
    for line, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        kind = parse_kind(row["kind"])
        if kind is None:
            report.errors.append(f"Dòng {line}: loại đơn vị không hợp lệ '{row['kind']}'.")
            continue
        parent = None
        if row["parent_code"]:
            parent = by_code(row["parent_code"])
            if parent is None:
                report.errors.append(f"Dòng {line}: không tìm thấy đơn vị cha '{row['parent_code']}'.")
                continue
        try:
            health = row.get("health_authority", "").lower() in {"1", "true", "x", "có", "co"}
            _, created = upsert_unit(row["code"], row["name"], kind, parent, health)
        except UnitError as exc:
            report.errors.append(f"Dòng {line}: {exc}")
            continue
        report.created += created
        report.updated += not created
    return report


def search_units(query: str, limit: int = 200) -> list[Unit]:
    q = fold(query)
    stmt = select(Unit).order_by(Unit.path).limit(limit)
    if q:
        stmt = stmt.where(or_(Unit.name_folded.contains(q, autoescape=True), func.lower(Unit.code) == q))
    return list(db.session.scalars(stmt))


def tree_rows() -> list[tuple[Unit, int]]:
    """Every unit with its depth, in tree order (parents before children, by code)."""
    units = list(db.session.scalars(select(Unit)))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    for group in children.values():
        group.sort(key=lambda u: (u.kind.is_administrative is False, u.code))
    rows: list[tuple[Unit, int]] = []

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            rows.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return rows


def communes_under(unit: Unit) -> list[Unit]:
    stmt = select(Unit).where(Unit.kind == UnitKind.COMMUNE, Unit.path.startswith(unit.path)).order_by(Unit.code)
    return list(db.session.scalars(stmt))


def root_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code)))
