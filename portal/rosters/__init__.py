from flask import Blueprint

bp = Blueprint("rosters", __name__, url_prefix="/rosters", cli_group="roster")
