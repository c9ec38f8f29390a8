"""Report and directive files: size limit, type checked by content, generated names outside static/."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

# extension → (magic prefix, MIME type). Office files are zip containers ("PK\x03\x04").
KINDS = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    "docx": (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
REPORT_KINDS = frozenset(KINDS)
DIRECTIVE_KINDS = frozenset({"pdf"})


class UploadError(ValueError):
    """A refused file; the message is for the user."""


@dataclass
class StoredFile:
    file_name: str
    stored_name: str
    content_type: str
    size: int


def _limit() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024))


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "directives"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_file(storage, allowed: frozenset[str]) -> tuple[bytes, str, str]:
    """Read and check one uploaded file: (data, extension, MIME type), or UploadError."""
    name = (storage.filename or "").strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    wanted = ", ".join(sorted(k.upper() for k in allowed if k != "jpeg"))
    if extension not in allowed:
        raise UploadError(f"Tệp “{name or 'không tên'}” không đúng loại cho phép ({wanted}).")
    limit = _limit()
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f"Tệp “{name}” vượt quá {limit // (1024 * 1024) or 1} MB.")
    if not data:
        raise UploadError(f"Tệp “{name}” rỗng.")
    magic, mime = KINDS[extension]
    if not data.startswith(magic):
        raise UploadError(f"Nội dung tệp “{name}” không phải là {extension.upper()} hợp lệ.")
    return data, extension, mime


def store(data: bytes, original_name: str, extension: str, mime: str) -> StoredFile:
    """Write under a generated name; the user's file name is kept only as a label."""
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    (upload_dir() / stored_name).write_bytes(data)
    label = original_name.replace("/", "_").replace("\\", "_").strip()[:255] or stored_name
    return StoredFile(label, stored_name, mime, len(data))


def path_of(stored_name: str) -> Path:
    path = upload_dir() / stored_name
    if path.parent != upload_dir() or not path.is_file():
        raise FileNotFoundError(stored_name)
    return path
