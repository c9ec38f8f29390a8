from flask import Blueprint

bp = Blueprint("rosters", __name__, url_prefix="/rosters", cli_group="roster")


@bp.app_template_filter("mask_id")
def mask_id(value: str | None) -> str:
    """Least data: 001085012345 → 0010*****345 for readers who do not need the whole number."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 7) + value[-3:] if len(value) > 7 else "*" * len(value)
