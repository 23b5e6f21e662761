"""Attachment checks: the type is decided by the content, and the name must agree with it."""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    XLSX: {".xlsx"},
    DOCX: {".docx"},
}


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    content_type: str
    size: int
    sha256: str


def _office_type(upload) -> str | None:
    """XLSX and DOCX are zip files with a [Content_Types].xml and an xl/ or word/ part."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("xl/") for n in names):
        return XLSX
    if any(n.startswith("word/") for n in names):
        return DOCX
    return None


def sniff(upload) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(upload)
    return None


def _clean_name(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')
    return name[:200] or "attachment"


def check(upload) -> CheckedFile:
    """Validate one uploaded file; raises ValidationError with a message for the uploader."""
    name = _clean_name(getattr(upload, "name", ""))
    size = upload.size
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("%(name)s is too large (%(size)s MB); the limit is 20 MB.")
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}"}
        )
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    content_type = sniff(upload)
    if content_type is None:
        raise ValidationError(
            _("%(name)s is not a PDF, XLSX, DOCX, PNG or JPEG file.") % {"name": name}
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            _("The name of %(name)s does not match its content (%(kind)s).")
            % {"name": name, "kind": sorted(EXTENSIONS[content_type])[0].lstrip(".").upper()}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload, name, content_type, size, digest.hexdigest())


def check_all(uploads) -> list[CheckedFile]:
    uploads = list(uploads or [])
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("Attach at most %(n)s files to one circular.") % {"n": MAX_ATTACHMENTS}
        )
    errors, checked = [], []
    for upload in uploads:
        try:
            checked.append(check(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked
