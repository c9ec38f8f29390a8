"""The second factor: time-based one-time codes (RFC 6238) from an authenticator app.

A code is accepted within one 30-second step either side of the server's clock, and only
once: the step of the last accepted code is kept on the account (ASVS 2.8.4). Wrong codes
are counted per account like wrong passwords (portal/auth/services.py).
"""
from __future__ import annotations

import base64
import io
import time

import pyotp
import qrcode
import qrcode.image.svg

ISSUER = "Cổng điều hành phòng, chống dịch"
STEP_SECONDS = 30
VALID_WINDOW = 1  # steps accepted either side of now (clock drift between phone and server)


def new_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(text: str) -> str:
    """An SVG QR code inlined as a data: URI (the CSP allows img-src data:; nothing fetched)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, last_step: int | None, now: float | None = None) -> int | None:
    """The time step that `code` belongs to, if it is valid now and newer than `last_step`."""
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now // STEP_SECONDS)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None
