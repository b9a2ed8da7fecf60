"""Supporting documents (ENR-3.d): checked by content, stored outside the static folder.

Files live in ``PORTAL_UPLOAD_DIR`` under a random name; the database row
(:class:`~portal.enrollment.models.ApplicationDocument`) keeps the name the person gave,
the checked type, the size and a SHA-256. Nothing here is ever served as a static file.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class DocumentError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def upload_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR") or ""
    path = Path(configured) if configured else Path(current_app.config["INSTANCE_DIR"]) / "uploads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def sniff(content: bytes) -> str | None:
    """The type ``content`` really is (PDF, JPEG or PNG), or None."""
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]:
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff") or content.startswith(b"\x89PNG\r\n\x1a\n"):
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
                kind = image.format
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None
        return {"JPEG": "image/jpeg", "PNG": "image/png"}.get(kind or "")
    return None


def check(content: bytes, max_bytes: int) -> str:
    """The checked content type, or :class:`DocumentError` with a message for the person."""
    if not content:
        raise DocumentError(_("The file is empty. Choose the document again."))
    if len(content) > max_bytes:
        megabytes = max(1, max_bytes // (1024 * 1024))
        raise DocumentError(ngettext(
            "The file is larger than %(num)d MB. Choose a smaller file.",
            "The file is larger than %(num)d MB. Choose a smaller file.", megabytes))
    content_type = sniff(content)
    if content_type is None:
        raise DocumentError(_("The file must be a PDF, JPEG or PNG document."))
    return content_type


def store(content: bytes, content_type: str) -> tuple[str, str]:
    """Write ``content`` under a new random name; returns (storage name, sha256)."""
    name = f"{secrets.token_urlsafe(24)}.{ALLOWED[content_type]}"
    path = upload_dir() / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return name, hashlib.sha256(content).hexdigest()


def read(storage_name: str) -> bytes:
    return (upload_dir() / Path(storage_name).name).read_bytes()


def delete_file(storage_name: str) -> None:
    try:
        (upload_dir() / Path(storage_name).name).unlink()
    except FileNotFoundError:
        pass


def clean_filename(name: str | None) -> str:
    """The person's file name, without any folder part or control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "document"
