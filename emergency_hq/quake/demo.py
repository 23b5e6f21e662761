"""The shipped sample telegrams, and replaying them as if JMA sent them just now.

Samples keep their real-looking 2026 dates for the tests; ``shifted`` moves every time in a
telegram (ISO times, the EventID, the 「２０日０９時３５分」 of the headline) by the same amount,
so that each ``quake_demo`` is a fresh quake (a new EventID; within the aftershock window of an
open incident it joins that one) and "reported since the quake" means since now.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SAMPLES = Path(__file__).resolve().parent / "samples"
JST = ZoneInfo("Asia/Tokyo")

SCENARIOS = {
    # The strong Tokyo quake: 震度速報, then 震源・震度に関する情報.
    "tokyo": ["vxse51_tokyo_6lower.xml", "vxse53_tokyo_6lower.xml"],
    # ... followed by a higher serial (6+), a correction and an aftershock two hours later.
    "tokyo-full": [
        "vxse51_tokyo_6lower.xml",
        "vxse53_tokyo_6lower.xml",
        "vxse53_tokyo_6upper_serial2.xml",
        "vxse53_tokyo_correction.xml",
        "vxse53_tokyo_aftershock.xml",
    ],
    # Strong shaking in western Kanagawa with readings not yet received (未入電).
    "kanagawa": ["vxse53_kanagawa_not_received.xml"],
    # Telegrams that must change nothing: weak and far, strong where no member works, a test.
    "quiet": ["vxse53_kushiro_weak.xml", "vxse51_miyagi_5upper.xml", "vxse51_test.xml"],
}

ISO = re.compile(rb"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(Z|[+-]\d\d:\d\d)")
EVENT_ID = re.compile(rb"<EventID>(\d{14})</EventID>")
DAY_TIME = re.compile("([０-９]{2})日([０-９]{2})時([０-９]{2})分")
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
HALF = str.maketrans("０１２３４５６７８９", "0123456789")


# A saved copy of JMA's high-frequency feed listing some samples by relative link.
FEED = SAMPLES / "eqvol.xml"


def sample_names() -> list[str]:
    """The telegrams (VXSE51, VXSE53); the feed is not one."""
    return sorted(p.name for p in SAMPLES.glob("vxse*.xml"))


def read(name: str) -> bytes:
    path = (SAMPLES / name).resolve()
    if path.parent != SAMPLES or not path.is_file():
        raise FileNotFoundError(name)
    return path.read_bytes()


def event_time(data: bytes) -> datetime:
    match = EVENT_ID.search(data)
    if not match:
        raise ValueError("no EventID")
    return datetime.strptime(match.group(1).decode(), "%Y%m%d%H%M%S").replace(tzinfo=JST)


def shifted(data: bytes, delta: timedelta) -> bytes:
    def iso(match):
        moment = datetime.fromisoformat((match.group(1) + match.group(2)).decode())
        moved = moment + delta
        zone = match.group(2)
        return moved.strftime("%Y-%m-%dT%H:%M:%S").encode() + zone

    def event(match):
        moment = datetime.strptime(match.group(1).decode(), "%Y%m%d%H%M%S") + delta
        return b"<EventID>" + moment.strftime("%Y%m%d%H%M%S").encode() + b"</EventID>"

    base = event_time(data)

    def day_time(match):
        day, hour, minute = (int(g.translate(HALF)) for g in match.groups())
        try:
            moment = base.replace(day=day, hour=hour, minute=minute) + delta
        except ValueError:
            return match.group(0)
        return moment.strftime("%d日%H時%M分").translate(FULL)

    text = EVENT_ID.sub(event, ISO.sub(iso, data)).decode("utf-8")
    return DAY_TIME.sub(day_time, text).encode("utf-8")
