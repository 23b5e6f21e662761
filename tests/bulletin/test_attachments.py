"""Attachments: type decided by content, size limited, stored outside static, served by audience."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from bulletin.attachments import MAX_ATTACHMENT_BYTES
from bulletin.models import Circular, CircularAttachment

from .conftest import EXE_BYTES, PNG_BYTES, circular_fields, office_file, pdf_file, publish

pytestmark = pytest.mark.django_db

URL = "/api/v1/circulars/"


def _form(**files):
    return circular_fields(title_ja="添付付き", body_ja="別紙参照", category="general", **files)


@pytest.mark.parametrize(
    "upload",
    [
        lambda: pdf_file("a.pdf"),
        lambda: SimpleUploadedFile("a.png", PNG_BYTES),
        lambda: SimpleUploadedFile("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        lambda: office_file("sheet.xlsx", "xl"),
        lambda: office_file("letter.docx", "word"),
    ],
)
def test_allowed_types_are_accepted(api_client, hq_user, upload):
    api_client.force_authenticate(hq_user)
    response = api_client.post(URL, _form(attachments=[upload()]), format="multipart")
    assert response.status_code == 201, response.content
    assert len(response.json()["attachments"]) == 1


@pytest.mark.parametrize(
    "upload",
    [
        lambda: SimpleUploadedFile("setup.pdf", EXE_BYTES, content_type="application/pdf"),
        lambda: SimpleUploadedFile("tool.exe", EXE_BYTES),
        lambda: SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script>"),
        lambda: office_file("archive.xlsx", "other"),  # a zip, but not a workbook
        lambda: office_file("sheet.docx", "xl"),  # a workbook named as a document
        lambda: pdf_file("report.png"),  # a PDF named as an image
        lambda: SimpleUploadedFile("empty.pdf", b""),
        lambda: SimpleUploadedFile("fake.svg", b"<svg onload=alert(1)>"),
    ],
)
def test_disguised_or_unknown_files_are_refused_and_nothing_is_stored(api_client, hq_user, upload):
    api_client.force_authenticate(hq_user)
    response = api_client.post(
        URL, _form(attachments=[pdf_file("good.pdf"), upload()]), format="multipart"
    )
    assert response.status_code == 400, response.content
    assert "attachments" in response.json()["errors"]
    assert not Circular.objects.exists()
    assert not CircularAttachment.objects.exists()
    root = settings.PROTECTED_MEDIA_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_an_oversize_file_is_refused_with_a_clear_message(client, login, hq_user):
    login(hq_user)
    response = client.post(
        "/circulars/new/",
        {
            "issuer": "market",
            "title_ja": "大きな添付",
            "body_ja": "本文",
            "category": "general",
            "audience": "members",
            "attachments": [pdf_file("big.pdf", size=MAX_ATTACHMENT_BYTES + 1)],
        },
    )
    assert response.status_code == 200
    assert "20 MB" in response.content.decode()
    assert not Circular.objects.exists()


def test_a_file_of_exactly_20_mb_is_accepted(hq_user):
    circular = publish(hq_user, attachments=[pdf_file("max.pdf", size=MAX_ATTACHMENT_BYTES)])
    assert circular.attachments.get().size == MAX_ATTACHMENT_BYTES


def test_files_are_stored_outside_static_under_a_random_name(hq_user):
    circular = publish(hq_user, attachments=[pdf_file("../../etc/passwd.pdf")])
    attachment = circular.attachments.get()
    path = settings.PROTECTED_MEDIA_ROOT / attachment.file.name
    assert path.is_file()
    assert "passwd" not in attachment.file.name
    assert attachment.name == "passwd.pdf"
    assert not str(path).startswith(str(settings.STATIC_ROOT))


def test_the_download_serves_the_bytes_as_an_attachment(client, login, hq_user, viewer_a):
    circular = publish(hq_user, audience="members", attachments=[pdf_file("通達別紙.pdf")])
    attachment = circular.attachments.get()
    login(viewer_a)
    response = client.get(f"/circulars/{circular.number}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_revision_can_add_an_attachment(client, login, hq_user):
    circular = publish(hq_user, audience="members")
    login(hq_user)
    response = client.post(
        f"/circulars/{circular.number}/edit/",
        {
            "title_ja": circular.title_ja,
            "body_ja": circular.body_ja,
            "category": circular.category,
            "attachments": [SimpleUploadedFile("map.png", PNG_BYTES)],
        },
    )
    assert response.status_code == 302
    circular.refresh_from_db()
    assert circular.revision == 2
    assert "map.png" in circular.revision_note
    assert circular.attachments.count() == 1
