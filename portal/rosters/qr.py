"""The chip-based CCCD card's QR code, as a USB scanner types it (pure).

`CCCD|old CMND|full name|birth ddmmyyyy|sex|permanent address|issue date ddmmyyyy`"""
from __future__ import annotations

import re
from datetime import date

from portal.text import clean

_DATE = re.compile(r"^(\d{2})(\d{2})(\d{4})$")


def _date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    d, m, y = (int(g) for g in match.groups())
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_cccd_qr(text: str | None) -> dict | None:
    """The card's fields, or None when `text` is not such a line."""
    if not text or "|" not in text:
        return None
    parts = [clean(p) for p in str(text).strip().split("|")]
    if len(parts) < 7:
        return None
    cccd, old_id, full_name, birth, sex, address, issued = parts[:7]
    if not (cccd.isascii() and cccd.isdigit() and len(cccd) == 12):
        return None
    if old_id and not (old_id.isascii() and old_id.isdigit() and len(old_id) == 9):
        return None
    birth_date = _date(birth)
    if not full_name or birth_date is None:
        return None
    return {
        "cccd": cccd,
        "old_id": old_id or None,
        "full_name": full_name,
        "birth_date": birth_date,
        "sex": sex,
        "address": address,
        "issued_on": _date(issued),
    }
