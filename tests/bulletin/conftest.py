from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bulletin import services
from tests import factories


@pytest.fixture(autouse=True)
def _protected_media(settings, tmp_path):
    settings.PROTECTED_MEDIA_ROOT = tmp_path / "protected"
    return settings.PROTECTED_MEDIA_ROOT


@pytest.fixture
def exchange(db):
    return factories.organization("TSE-T", kind="exchange", is_public=True, name_ja="東証テスト")


@pytest.fixture
def exchange_reporter(exchange):
    return factories.user("tse_reporter", role="reporter", organization=exchange)


def circular_fields(**changes) -> dict:
    """What a publisher sends for a valid members' circular (API or page), with changes."""
    return {
        "title_ja": "共同演習のご案内",
        "title_en": "Joint drill",
        "body_ja": "# 概要\n\n10月に実施します。",
        "category": "drill",
        "audience": "members",
        **changes,
    }


def publish(actor, **overrides):
    values = {
        "title_ja": "システム障害に関するお知らせ",
        "body_ja": "本日の**売買**は通常どおり行います。",
        "category": "general",
        "audience": "public",
    }
    values.update(overrides)
    return services.circular_publish(actor=actor, **values)


def pdf_file(name="notice.pdf", size=None):
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if size:
        content = content + b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def office_file(name, part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}/document.xml", "<x/>")
    return SimpleUploadedFile(name, buffer.getvalue())


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
