"""Directives (văn bản chỉ đạo) and their tasks (nhiệm vụ)."""
from flask import Blueprint

bp = Blueprint("directives", __name__)
