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
