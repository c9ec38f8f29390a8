from flask import Blueprint

bp = Blueprint("sampling", __name__, url_prefix="/sampling")
