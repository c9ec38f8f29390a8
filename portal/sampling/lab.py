"""Lab results by tube code: one, a pasted list, or a CSV `tube_code,result`. All or nothing."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, select

from portal import audit
from portal.campaigns.services import targets_of
from portal.coverage.services import refresh_person
from portal.extensions import db
from portal.sampling.models import Result, Tube, TubeStatus
from portal.text import clean, fold
from portal.timeutil import utcnow

NEGATIVE_WORDS = {"am tinh", "am", "negative", "neg", "-", "a", "0"}
POSITIVE_WORDS = {"duong tinh", "duong", "positive", "pos", "+", "d", "1"}
MAX_LINES = 5000


class LabError(ValueError):
    pass


def parse_result(text: str) -> Result | None:
    word = fold(text)
    if word in NEGATIVE_WORDS:
        return Result.NEGATIVE
    if word in POSITIVE_WORDS:
        return Result.POSITIVE
    return None


@dataclass
class Line:
    number: int
    code: str
    result: Result | None
    error: str = ""


def parse_lines(text: str) -> list[Line]:
    """Lines of `code,result` (also `;`, tab or spaces); a header line is skipped."""
    lines = []
    rows = list(csv.reader(io.StringIO(text.replace("\t", ",").replace(";", ","))))
    if len(rows) > MAX_LINES:
        raise LabError(f"Tối đa {MAX_LINES} dòng mỗi lần.")
    for number, row in enumerate(rows, 1):
        cells = [clean(c) for c in row if clean(c)]
        if len(cells) == 1 and " " in cells[0]:
            cells = cells[0].split(" ", 1)
        if not cells:
            continue
        if number == 1 and fold(cells[0]) in {"tube_code", "ma ong", "code", "ma"}:
            continue
        if len(cells) != 2:
            lines.append(Line(number, cells[0], None, "cần đúng hai cột: mã ống, kết quả"))
            continue
        result = parse_result(cells[1])
        lines.append(Line(number, cells[0].upper(), result,
                          "" if result else f"kết quả “{cells[1]}” không hiểu được (âm tính / dương tính)"))
    return lines


def tubes_for(lab_units, codes: list[str]) -> dict[str, Tube]:
    """Tubes routed to the user's labs, by code (a foreign tube is simply not found)."""
    found = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start:start + 500]
        for tube in db.session.scalars(select(Tube).where(Tube.code.in_(chunk), Tube.lab_unit_id.in_(lab_units))):
            found[tube.code] = tube
    return found


def enter_results(actor, lab_units, lines: list[Line]) -> list[Tube]:
    """Check every line first; apply all or none. Raises LabError listing the bad lines."""
    if not lines:
        raise LabError("Chưa có kết quả nào để ghi.")
    tubes = tubes_for(lab_units, [line.code for line in lines])
    errors, seen = [], set()
    for line in lines:
        tube = tubes.get(line.code)
        if line.error:
            errors.append(f"Dòng {line.number}: {line.error}.")
        elif tube is None:
            errors.append(f"Dòng {line.number}: không có ống {line.code} được phân luồng về phòng xét nghiệm của bạn.")
        elif line.code in seen:
            errors.append(f"Dòng {line.number}: ống {line.code} lặp lại.")
        elif tube.status is TubeStatus.OPEN:
            errors.append(f"Dòng {line.number}: ống gộp {line.code} chưa được đóng.")
        elif tube.status is TubeStatus.RESULTED:
            errors.append(f"Dòng {line.number}: ống {line.code} đã có kết quả.")
        seen.add(line.code)
    if errors:
        raise LabError("\n".join(errors))
    done, targets = [], {}
    now = utcnow()
    for line in lines:
        tube = tubes[line.code]
        tube.result, tube.status, tube.result_at, tube.result_by_id = line.result, TubeStatus.RESULTED, now, actor.id
        member_result = Result.POOL_POSITIVE if (tube.pooled and line.result is Result.POSITIVE) else line.result
        for sample in tube.samples:
            sample.result, sample.result_at = member_result, now
        db.session.flush()
        if tube.campaign_id not in targets:
            targets[tube.campaign_id] = targets_of(tube.campaign_id)
        for sample in tube.samples:
            refresh_person(sample.person, targets[tube.campaign_id])
        audit.record(actor, "sample.result", tube, unit=tube.lab_unit_id,
                     changes={"code": tube.code, "result": line.result.value, "members": tube.size})
        done.append(tube)
    return done


def _pending(lab_units):
    return select(Tube).where(Tube.lab_unit_id.in_(lab_units), Tube.status == TubeStatus.CLOSED)


def pending_tubes(lab_units, limit: int = 50) -> list[Tube]:
    return list(db.session.scalars(_pending(lab_units).order_by(Tube.id).limit(limit)))


def count_pending_tubes(lab_units) -> int:
    """All the tubes waiting, so the bench can say when its list shows only the oldest ones."""
    return db.session.scalar(select(func.count()).select_from(_pending(lab_units).subquery())) or 0


def recent_results(lab_units, limit: int = 20) -> list[Tube]:
    return list(db.session.scalars(select(Tube).where(Tube.lab_unit_id.in_(lab_units),
                                                      Tube.status == TubeStatus.RESULTED)
                                   .order_by(Tube.result_at.desc(), Tube.id.desc()).limit(limit)))
