"""`.env.example` lists every variable the settings read: operators configure from it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _read_by_settings() -> set[str]:
    names = set()
    for path in (ROOT / "bcpweb" / "settings").glob("*.py"):
        names |= set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    from alerts import conf

    names |= set(conf._DEFAULTS)
    return names


def test_every_setting_variable_is_documented():
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = sorted(_read_by_settings() - documented)
    assert not missing, f".env.example lacks: {missing}"
