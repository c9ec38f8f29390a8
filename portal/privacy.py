"""Least data: citizen IDs (CCCD) and phone numbers are shown whole only to those who need them.

Who sees them whole is decided in portal/permissions.py (Ability.SEE_FULL_IDENTITY: the clerk
of the person's commune, its district officer, the health department); everybody else sees
them masked: first four digits, five stars, last three (`0010*****123`).

In templates, ALWAYS go through the filters (registered in portal/templating.py), giving the
unit the person belongs to::

    {{ person.cccd | identity(person.unit) }}
    {{ person.phone | phone(person.unit) }}

or, for a list of people of one unit, `{% set shown_cccd, shown_phone = identity_shown(unit) %}`
once, then `{{ shown_cccd(person.cccd) }}` for each.

In Python (exports, PDF reports, JSON), use `shown_identity(user, value, unit)` /
`shown_phone(user, value, unit)`. Without a unit the value is masked: fail closed.
"""
from __future__ import annotations

STARS = "*****"


def _mask(value: str | None, head: int, tail: int) -> str:
    if not value:
        return ""
    text = str(value).strip()
    if len(text) <= head + tail:
        # Too short to keep both ends: keep nothing recognisable.
        return "*" * len(text)
    return text[:head] + STARS + text[-tail:]


def mask_cccd(value: str | None) -> str:
    """'001085012345' -> '0010*****345' (also for 9-digit old CMND numbers)."""
    return _mask(value, 4, 3)


def mask_phone(value: str | None) -> str:
    """'0912345678' -> '0912*****678'."""
    return _mask(value, 4, 3)


def may_see_full(user, unit) -> bool:
    from portal.permissions import Ability, can_in_request

    return unit is not None and can_in_request(user, Ability.SEE_FULL_IDENTITY, unit)


def _whole(value: str | None) -> str:
    return value or ""


def identity_shown(user, unit):
    """(CCCD, phone number) → as this user may see them for people of `unit`: two functions,
    decided once for a list of many people of one unit."""
    return (_whole, _whole) if may_see_full(user, unit) else (mask_cccd, mask_phone)


def shown_identity(user, value: str | None, unit) -> str:
    """The CCCD as this user may see it for a person of `unit`."""
    return identity_shown(user, unit)[0](value)


def shown_phone(user, value: str | None, unit) -> str:
    """The phone number as this user may see it for a person of `unit`."""
    return identity_shown(user, unit)[1](value)
