"""The drill mark every drill subject, title and page carries: one constant for the portal."""

DRILL_MARK = {"ja": "【訓練】", "en": "[DRILL] "}


def drill_marked(text: str, *, language: str, is_drill: bool) -> str:
    """``text`` with the drill mark in front when it is a drill (and not marked already)."""
    mark = DRILL_MARK["en" if language == "en" else "ja"]
    if not is_drill or text.startswith(mark):
        return text
    return f"{mark}{text}"


# Shown after Japanese text on an English page or e-mail when no English text was written.
JAPANESE_ONLY = "(日本語のみ / Japanese only)"


def in_language(ja: str, en: str, *, language: str) -> str:
    """The text for ``language``: English when written, else the Japanese with a visible marker."""
    if not (language or "ja").startswith("en"):
        return ja
    if (en or "").strip():
        return en
    if not (ja or "").strip():
        return ja
    return f"{ja} {JAPANESE_ONLY}"
