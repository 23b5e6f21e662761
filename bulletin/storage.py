"""Uploaded attachments live under PROTECTED_MEDIA_ROOT, outside every static tree.

They are served only through the permission-checking download view; no URL maps onto this
directory. The location is read from the settings on each use, so tests can point it at a
temporary directory.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone


class ProtectedStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PROTECTED_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Protected files have no public URL.")


_storage = ProtectedStorage()


def protected_storage() -> ProtectedStorage:
    return _storage


def attachment_path(instance, filename: str) -> str:
    """A random name: the uploader's file name is kept only in the database."""
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"circulars/{timezone.localdate():%Y}/{uuid.uuid4().hex}{extension}"
