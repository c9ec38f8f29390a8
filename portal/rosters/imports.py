"""Bulk import: preview a file row by row, then commit every valid row in one transaction.

Nothing is written to the roster before the clerk confirms. Duplicates never stop an import:
rejected rows (errors, duplicates) are kept as doubtful rows to resolve afterwards, and can be
downloaded as .xlsx with their reasons to fix and upload again."""
from __future__ import annotations

import io
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from flask import current_app, has_app_context
from sqlalchemy import String, any_, delete, func, literal, literal_column, select
from sqlalchemy.dialects import postgresql

from portal import audit, bulk
from portal.extensions import db
from portal.rosters.models import BatchStatus, ImportBatch, ImportRow, Person, Roster, RosterKind
from portal.rosters.reader import ImportFileError, Limits, read_table
from portal.rosters.validation import FIELD_LABELS, plain_text, validate_row
from portal.timeutil import local_today, utcnow
from portal.units.models import Unit

CHUNK = 1000
LOOKUP_CHUNK = 5000  # file keys looked up in the campaign per duplicate query
RAW_FIELDS = ("full_name", "birth", "sex", "cccd", "phone", "address", "zone", "priority_group", "prior_doses")
RAW_LABELS = {"full_name": "Họ và tên", "birth": "Ngày sinh", "sex": "Giới tính", "cccd": "Số CCCD",
              "phone": "Số điện thoại", "address": "Địa chỉ", "zone": "Khu vực", "priority_group": "Nhóm ưu tiên",
              "prior_doses": "Số mũi đã tiêm"}

__all__ = ["ImportFileError", "Analysis", "analyse", "preview_import", "commit_import", "cancel_import", "import_file",
           "doubtful_rows", "dismiss_doubtful_row", "rows_workbook", "template_workbook"]


@dataclass
class RowOutcome:
    row_number: int
    raw: dict
    values: dict | None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


@dataclass
class Analysis:
    accepted: list[RowOutcome] = field(default_factory=list)
    rejected: list[RowOutcome] = field(default_factory=list)

    @property
    def warned(self) -> int:
        return sum(1 for row in self.accepted if row.warnings)

    @property
    def reported(self) -> list[RowOutcome]:
        """Rejected and warned rows, in file order."""
        rows = self.rejected + [row for row in self.accepted if row.warnings]
        return sorted(rows, key=lambda r: r.row_number)


def limits() -> Limits:
    if not has_app_context():
        return Limits()
    config = current_app.config
    return Limits(max_bytes=config.get("ROSTER_IMPORT_MAX_BYTES", 10 * 1024 * 1024),
                  max_rows=config.get("ROSTER_IMPORT_MAX_ROWS", 100_000),
                  max_unzipped=config.get("ROSTER_IMPORT_MAX_UNZIPPED", 300 * 1024 * 1024),
                  max_ratio=config.get("ROSTER_IMPORT_MAX_RATIO", 200))


def analyse(roster: Roster, filename: str, data: bytes) -> Analysis:
    """Read and check every row; look for duplicates in the file, the roster and the campaign."""
    table = read_table(filename, data, limits())
    today = local_today()
    analysis = Analysis()
    candidates: list[RowOutcome] = []
    seen_cccd: dict[str, int] = {}
    seen_person: dict[tuple, int] = {}
    for row_number, raw in table.rows:
        result = validate_row(raw, kind=roster.kind, today=today, numeric_cccd=row_number in table.numeric_cccd)
        if result.skipped:
            continue
        outcome = RowOutcome(row_number, raw, result.values, result.errors, result.warnings)
        if not outcome.errors:
            values = result.values
            if values["cccd"]:
                first = seen_cccd.setdefault(values["cccd"], row_number)
                if first != row_number:
                    outcome.errors.append(("cccd", f"Số CCCD trùng với dòng {first} trong tệp."))
            if not outcome.errors and values["phone"]:
                key = (values["name_folded"], values["birth_date"] or values["birth_year"], values["phone"])
                first = seen_person.setdefault(key, row_number)
                if first != row_number:
                    outcome.errors.append(("full_name", f"Trùng họ tên, ngày sinh và số điện thoại với dòng {first} trong tệp."))
        (analysis.rejected if outcome.errors else candidates).append(outcome)
    _check_existing(roster, candidates)
    for outcome in candidates:
        (analysis.rejected if outcome.errors else analysis.accepted).append(outcome)
    analysis.rejected.sort(key=lambda r: r.row_number)
    return analysis


def _where(roster: Roster, hit_roster_id: int, unit_name: str) -> str:
    return "đã có trong danh sách" if hit_roster_id == roster.id else f"đã có trong danh sách của {unit_name}"


def _among(column, keys: list[str]):
    """`column IN keys` with the keys as one bound value (an array on PostgreSQL, a JSON array
    read by json_each on SQLite): a chunk of thousands is neither rendered nor parsed key by
    key, and each key is still one probe of the campaign's (campaign_id, column) index."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(keys, postgresql.ARRAY(String)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(keys))))


def _check_existing(roster: Roster, rows: list[RowOutcome]) -> None:
    """Duplicates against people already on a roster of the same kind of this campaign, in chunks."""
    base = (select(Person.cccd, Person.phone, Person.name_folded, Person.birth_date, Person.birth_year,
                   Person.roster_id, Unit.name)
            .join(Roster, Roster.id == Person.roster_id).join(Unit, Unit.id == Person.unit_id)
            .where(Person.campaign_id == roster.campaign_id, Roster.kind == roster.kind))
    by_cccd = {row.values["cccd"]: row for row in rows if row.values["cccd"]}
    keys = list(by_cccd)
    for start in range(0, len(keys), LOOKUP_CHUNK):
        for hit in db.session.execute(base.where(_among(Person.cccd, keys[start:start + LOOKUP_CHUNK]))):
            row = by_cccd[hit.cccd]
            row.errors.append(("cccd", f"Số CCCD này {_where(roster, hit.roster_id, hit.name)}."))
    by_phone: dict[str, list[RowOutcome]] = {}
    for row in rows:
        if row.values["phone"] and not row.errors:
            by_phone.setdefault(row.values["phone"], []).append(row)
    phones = list(by_phone)
    for start in range(0, len(phones), LOOKUP_CHUNK):
        for hit in db.session.execute(base.where(_among(Person.phone, phones[start:start + LOOKUP_CHUNK]))):
            for row in by_phone[hit.phone]:
                v = row.values
                same_birth = (hit.birth_date == v["birth_date"]) if v["birth_date"] else (
                    hit.birth_date is None and hit.birth_year == v["birth_year"])
                if not row.errors and hit.name_folded == v["name_folded"] and same_birth:
                    row.errors.append(("full_name", "Người cùng họ tên, ngày sinh và số điện thoại "
                                                    f"{_where(roster, hit.roster_id, hit.name)}."))


def _upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "rosters"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _store_rows(batch: ImportBatch, analysis: Analysis) -> None:
    db.session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
    records = [
        {"batch_id": batch.id, "roster_id": batch.roster_id, "unit_id": batch.unit_id, "row_number": row.row_number,
         "rejected": bool(row.errors), "raw": json.dumps(row.raw, ensure_ascii=False, default=str),
         "messages": json.dumps([[f, m, "error"] for f, m in row.errors] + [[f, m, "warning"] for f, m in row.warnings],
                                ensure_ascii=False)}
        for row in analysis.reported
    ]
    for start in range(0, len(records), CHUNK):
        db.session.execute(ImportRow.__table__.insert(), records[start:start + CHUNK])


def preview_import(actor, roster: Roster, filename: str, data: bytes) -> ImportBatch:
    """Check a file and keep it (under a generated name, outside static/) for the commit."""
    from portal.rosters.services import ensure_editable

    ensure_editable(roster)
    analysis = analyse(roster, filename, data)
    stored = f"{uuid.uuid4().hex}.bin"
    (_upload_dir() / stored).write_bytes(data)
    batch = ImportBatch(roster_id=roster.id, unit_id=roster.unit_id, created_by_id=getattr(actor, "id", None),
                        filename=(plain_text(filename) or "tep")[-255:], stored_name=stored, status=BatchStatus.PREVIEW,
                        accepted=len(analysis.accepted), rejected=len(analysis.rejected), warned=analysis.warned)
    db.session.add(batch)
    db.session.flush()
    _store_rows(batch, analysis)
    audit.record(actor, "roster.import_preview", batch, unit=roster.unit_id,
                 changes={"accepted": batch.accepted, "rejected": batch.rejected, "warnings": batch.warned})
    return batch


def _insert_people(roster: Roster, rows: list[RowOutcome]) -> None:
    from portal.coverage.services import count_imported_people, count_inserted_people
    from portal.rosters.services import PERSON_FIELDS, _stored_values

    now = utcnow()
    owner = {"roster_id": roster.id, "unit_id": roster.unit_id, "campaign_id": roster.campaign_id,
             "created_at": now, "updated_at": now}
    columns = (*owner, *PERSON_FIELDS, "name_folded", "sort_key", "warnings")
    placed = Counter()  # (zone, priority group): people, for the head counts

    def records():
        for row in rows:
            values = owner | _stored_values(row.values, row.warnings)
            placed[values["zone"], values["priority_group"]] += 1
            yield values

    # COPY on PostgreSQL, one executemany per chunk elsewhere; rows are made as they are written.
    bulk.insert_rows(Person.__table__, columns, records())
    count_inserted_people(roster, placed)
    count_imported_people(roster.id, roster.campaign_id)  # earlier doses count on the dashboards at once


def commit_import(actor, batch: ImportBatch) -> Analysis:
    """Import the valid rows of a previewed file, all in the caller's one transaction."""
    from portal.rosters.services import RosterError, ensure_editable

    if batch.status is not BatchStatus.PREVIEW:
        raise RosterError("Tệp này đã được nhập hoặc đã hủy.")
    roster = batch.roster
    ensure_editable(roster)
    path = _upload_dir() / (batch.stored_name or "")
    if not batch.stored_name or not path.is_file():
        raise RosterError("Không còn tệp đã tải lên: vui lòng tải lên lại.")
    analysis = analyse(roster, batch.filename, path.read_bytes())  # the roster may have changed since
    _insert_people(roster, analysis.accepted)
    batch.accepted, batch.rejected, batch.warned = len(analysis.accepted), len(analysis.rejected), analysis.warned
    batch.status = BatchStatus.COMMITTED
    _store_rows(batch, analysis)
    db.session.flush()
    audit.record(actor, "roster.import", roster, unit=roster.unit_id,
                 changes={"batch": batch.id, "accepted": batch.accepted, "rejected": batch.rejected,
                          "warnings": batch.warned})
    _discard_file(batch)
    return analysis


def _discard_file(batch: ImportBatch) -> None:
    if batch.stored_name:
        (_upload_dir() / batch.stored_name).unlink(missing_ok=True)
        batch.stored_name = None


def cancel_import(actor, batch: ImportBatch) -> None:
    from portal.rosters.services import RosterError

    if batch.status is not BatchStatus.PREVIEW:
        raise RosterError("Tệp này đã được nhập hoặc đã hủy.")
    batch.status = BatchStatus.CANCELLED
    db.session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
    _discard_file(batch)
    db.session.flush()
    audit.record(actor, "roster.import_cancel", batch, unit=batch.unit_id)


def import_file(actor, roster: Roster, filename: str, data: bytes, *, dry_run: bool = False) -> Analysis:
    """The command line's import: check, then (unless dry_run) insert the valid rows."""
    from portal.rosters.services import ensure_editable

    ensure_editable(roster)
    analysis = analyse(roster, filename, data)
    if not dry_run:
        _insert_people(roster, analysis.accepted)
        batch = ImportBatch(roster_id=roster.id, unit_id=roster.unit_id, created_by_id=getattr(actor, "id", None),
                            filename=plain_text(Path(filename).name)[-255:], status=BatchStatus.COMMITTED,
                            accepted=len(analysis.accepted), rejected=len(analysis.rejected), warned=analysis.warned)
        db.session.add(batch)
        db.session.flush()
        _store_rows(batch, analysis)
        audit.record(actor, "roster.import", roster, unit=roster.unit_id,
                     changes={"batch": batch.id, "accepted": batch.accepted, "rejected": batch.rejected,
                              "warnings": batch.warned, "via": "cli"})
    return analysis


# --- doubtful rows ---------------------------------------------------------------------------

def batch_rows(batch: ImportBatch, limit: int | None = None) -> list[ImportRow]:
    stmt = select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.row_number)
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


def doubtful_rows(roster: Roster) -> list[ImportRow]:
    """Rejected rows of committed imports that nobody has resolved yet."""
    return list(db.session.scalars(
        select(ImportRow).join(ImportBatch, ImportBatch.id == ImportRow.batch_id)
        .where(ImportRow.roster_id == roster.id, ImportRow.rejected.is_(True), ImportRow.resolved_at.is_(None),
               ImportBatch.status == BatchStatus.COMMITTED)
        .order_by(ImportRow.batch_id, ImportRow.row_number)
    ))


def dismiss_doubtful_row(actor, row: ImportRow, *, added: bool = False) -> None:
    row.resolved_at = utcnow()
    db.session.flush()
    audit.record(actor, "roster.doubtful_added" if added else "roster.doubtful_dismissed", row, unit=row.unit_id)


def row_raw(row: ImportRow) -> dict:
    return json.loads(row.raw or "{}")


def row_messages(row: ImportRow) -> list:
    return json.loads(row.messages or "[]")


# --- workbooks -------------------------------------------------------------------------------

def _fields_for(kind: RosterKind) -> list[str]:
    return list(RAW_FIELDS if kind is RosterKind.VACCINATION else RAW_FIELDS[:7])


def rows_workbook(kind: RosterKind, rows: list[ImportRow]) -> bytes:
    """The rejected rows with their reasons, in the template's columns: fix and upload again."""
    from portal.rosters.exports import neutralise

    fields = _fields_for(kind)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Dòng bị từ chối")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, ["Dòng"] + [RAW_LABELS[f] for f in fields] + ["Lý do"], bold)
    for index, row in enumerate(rows, start=1):
        raw = row_raw(row)
        reasons = "; ".join(f"{FIELD_LABELS.get(f, f)}: {m}" if f else m for f, m, _ in row_messages(row))
        sheet.write_number(index, 0, row.row_number)
        for col, name in enumerate(fields, start=1):
            sheet.write_string(index, col, neutralise(raw.get(name, "")))
        sheet.write_string(index, len(fields) + 1, neutralise(reasons))
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, len(fields) + 1, 18)
    book.close()
    return buffer.getvalue()


def template_workbook(kind: RosterKind) -> bytes:
    fields = _fields_for(kind)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Danh sách")
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    sheet.write_string(0, 0, "DANH SÁCH " + ("NGƯỜI TIÊM CHỦNG" if kind is RosterKind.VACCINATION else "NGƯỜI LẤY MẪU XÉT NGHIỆM"), bold)
    sheet.write_row(2, 0, ["STT"] + [RAW_LABELS[f] for f in fields], bold)
    example = ["1", "Nguyễn Văn An", "02/03/1985", "Nam", "001085012345", "0912345678", "Số 5 ngõ 12 Nghĩa Dũng", "Khác",
               "Nhóm 3", "0"]
    for col, value in enumerate(example[:len(fields) + 1]):
        sheet.write_string(3, col, value)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, len(fields), 20, text)  # text cells keep the CCCD's leading zeros
    sheet.write_string(1, 0, "Ngày sinh: dd/mm/yyyy hoặc chỉ năm sinh. Giới tính: Nam/Nữ. Khu vực: Phong tỏa / Nguy cơ cao / Khác.")
    book.close()
    return buffer.getvalue()
