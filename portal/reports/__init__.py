"""Official PDF reports: forms, previews, numbering register, background rendering."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
