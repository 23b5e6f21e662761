"""Japanese first: every message of every catalogue is translated, none left fuzzy."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/ja/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def _entries(path: Path):
    """(msgid, msgstr, fuzzy) triples of a .po file, without a third-party parser."""
    entries, msgid, msgstr, fuzzy, field = [], None, None, False, None

    def flush():
        if msgid:  # the header has an empty msgid
            entries.append((msgid, msgstr or "", fuzzy))

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            msgid, msgstr, fuzzy, field = None, None, False, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            msgid, field = line[7:-1], "id"
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith("msgstr"):
            value = line.split(" ", 1)[1][1:-1]
            msgstr = (msgstr or "") + value if field == "str" else value
            field = "str"
        elif line.startswith('"'):
            if field == "id":
                msgid = (msgid or "") + line[1:-1]
            elif field == "str":
                msgstr = (msgstr or "") + line[1:-1]
    return entries


def test_there_are_catalogues():
    assert CATALOGUES, "no Japanese catalogue found"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(path):
    entries = _entries(path)
    untranslated = [m for m, s, _ in entries if not s]
    fuzzy = [m for m, _, f in entries if f]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_translation_keeps_its_placeholders(path):
    import shutil
    import subprocess

    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext's msgfmt is missing (make install installs it)"
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
