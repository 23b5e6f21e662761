"""JMA seismic intensities (震度) in order, with the labels people read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The codes of 気象庁防災情報XML, weakest first.
CODES = ("1", "2", "3", "4", "5-", "5+", "6-", "6+", "7")
RANK = {code: i for i, code in enumerate(CODES)}

LABELS_JA = {
    "1": "震度１",
    "2": "震度２",
    "3": "震度３",
    "4": "震度４",
    "5-": "震度５弱",
    "5+": "震度５強",
    "6-": "震度６弱",
    "6+": "震度６強",
    "7": "震度７",
}
LABELS_EN = {
    "1": "intensity 1",
    "2": "intensity 2",
    "3": "intensity 3",
    "4": "intensity 4",
    "5-": "intensity 5 lower",
    "5+": "intensity 5 upper",
    "6-": "intensity 6 lower",
    "6+": "intensity 6 upper",
    "7": "intensity 7",
}
# 「震度５弱以上未入電」: a strong quake whose readings have not arrived yet; at least 5-.
NOT_YET_RECEIVED = "震度５弱以上未入電"
AT_LEAST_WHEN_NOT_RECEIVED = "5-"


class Intensity(models.TextChoices):
    ONE = "1", _("Intensity 1")
    TWO = "2", _("Intensity 2")
    THREE = "3", _("Intensity 3")
    FOUR = "4", _("Intensity 4")
    FIVE_LOWER = "5-", _("Intensity 5 lower")
    FIVE_UPPER = "5+", _("Intensity 5 upper")
    SIX_LOWER = "6-", _("Intensity 6 lower")
    SIX_UPPER = "6+", _("Intensity 6 upper")
    SEVEN = "7", _("Intensity 7")


def rank(code: str | None) -> int:
    """-1 for no intensity, so that anything observed is stronger."""
    return RANK.get(code or "", -1)


def strongest(*codes: str | None) -> str:
    known = [c for c in codes if c in RANK]
    return max(known, key=RANK.__getitem__) if known else ""


def at_least(code: str | None, threshold: str) -> bool:
    return code in RANK and RANK[code] >= RANK[threshold]


def label(code: str, language: str = "ja") -> str:
    labels = LABELS_EN if language == "en" else LABELS_JA
    return labels.get(code, code)


def label_active(code: str) -> str:
    """The label in the language of the page being rendered."""
    return label(code, "en" if (get_language() or "ja").startswith("en") else "ja")


def severity_of(code: str) -> int:
    """The incident severity (1-4) an intensity suggests: 7 is critical, 6 severe, 5 moderate."""
    if at_least(code, "7"):
        return 4
    if at_least(code, "6-"):
        return 3
    if at_least(code, "5-"):
        return 2
    return 1
