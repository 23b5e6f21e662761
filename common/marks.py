"""The drill mark every drill subject, title and page carries: one constant for the portal."""

DRILL_MARK = {"ja": "【訓練】", "en": "[DRILL] "}


def drill_marked(text: str, *, language: str, is_drill: bool) -> str:
    """``text`` with the drill mark in front when it is a drill (and not marked already)."""
    mark = DRILL_MARK["en" if language == "en" else "ja"]
    if not is_drill or text.startswith(mark):
        return text
    return f"{mark}{text}"
