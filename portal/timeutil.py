"""Time helpers: stored times are naive UTC; shown times are Vietnam's (UTC+7, no DST)."""
from datetime import date, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "ICT")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_local(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc).astimezone(VN_TZ)


def local_today() -> date:
    return datetime.now(VN_TZ).date()


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    return to_local(value).strftime("%d/%m/%Y %H:%M") if value else ""


def parse_date(text: str) -> date | None:
    """'05/09/2021' → date(2021, 9, 5); None when it is not a real dd/mm/yyyy date."""
    parts = (text or "").strip().split("/")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[2]) != 4:
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def local_day_start_utc(day: date) -> datetime:
    """The naive-UTC instant at which `day` begins in Vietnam."""
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ).astimezone(timezone.utc).replace(tzinfo=None)
