"""One JMA seismic-intensity telegram (気象庁防災情報XML: VXSE51 震度速報, VXSE53 震源・震度).

``parse(data)`` returns a Telegram or raises TelegramError with a one-line reason: oversize,
malformed or truncated XML, a DTD or entities, the wrong namespace, a missing field, an
unknown intensity code. Other JMA telegrams (e.g. VXSE52 震源に関する情報) raise NotOurs: they
are read and deliberately ignored.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element

from django.conf import settings

from common.text import strip_control_characters

from . import intensity
from .safexml import BadDocument, load, text

JMX = "http://xml.kishou.go.jp/jmaxml1/"
HEAD = "http://xml.kishou.go.jp/jmaxml1/informationBasis1/"
SEISMOLOGY = "http://xml.kishou.go.jp/jmaxml1/body/seismology1/"
ELEMENT_BASIS = "http://xml.kishou.go.jp/jmaxml1/elementBasis1/"
NS = {"jmx": JMX, "ib": HEAD, "seis": SEISMOLOGY, "eb": ELEMENT_BASIS}

KINDS = {"震度速報": "VXSE51", "震源・震度に関する情報": "VXSE53"}
STATUSES = ("通常", "訓練", "試験")
INFO_TYPES = ("発表", "訂正", "取消")
EVENT_ID = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
COORDINATE = re.compile(r"^([+-][0-9.]+)([+-][0-9.]+)([+-][0-9]+)?/?$")


class TelegramError(ValueError):
    """Not a readable seismic-intensity telegram; nothing may be changed because of it."""


class NotOurs(TelegramError):
    """A well-formed JMA telegram of another kind: read, and deliberately ignored."""


@dataclass(frozen=True)
class AreaIntensity:
    code: str
    name: str
    prefecture_code: str
    prefecture_name: str
    # The effective intensity: a city "震度５弱以上未入電" makes its area at least 5-.
    max_int: str
    not_received: bool = False

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "pref_code": self.prefecture_code,
            "pref_name": self.prefecture_name,
            "max_int": self.max_int,
            "not_received": self.not_received,
        }


@dataclass(frozen=True)
class Hypocentre:
    name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    depth_km: int | None = None
    magnitude: str = ""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "depth_km": self.depth_km,
            "magnitude": self.magnitude,
        }


@dataclass(frozen=True)
class Telegram:
    kind: str
    title: str
    status: str
    info_type: str
    event_id: str
    serial: int
    reported_at: datetime
    origin_at: datetime | None
    headline: str
    max_int: str
    areas: tuple[AreaIntensity, ...] = ()
    hypocentre: Hypocentre | None = None
    text: str = ""
    sha256: str = ""
    size: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        """What makes a telegram the same one: VXSE51 and VXSE53 share EventID and Serial 1."""
        return (self.event_id, self.kind, self.serial, self.info_type, self.status)

    @property
    def is_cancel(self) -> bool:
        return self.info_type == "取消"

    def describe(self) -> str:
        strongest = intensity.label(self.max_int) if self.max_int else "—"
        return (
            f"{self.kind} {self.status} {self.info_type} EventID {self.event_id} "
            f"serial {self.serial}, max {strongest}"
        )


def max_bytes() -> int:
    return int(getattr(settings, "QUAKE_MAX_BYTES", 2 * 1024 * 1024))


def _normal(value: str) -> str:
    return strip_control_characters(unicodedata.normalize("NFKC", value or "")).strip()


_NOT_RECEIVED = _normal(intensity.NOT_YET_RECEIVED)


def _intensity(value: str, where: str) -> str:
    value = _normal(value)
    if value not in intensity.RANK:
        raise TelegramError(f"unknown intensity code {value!r} in {where}")
    return value


def _own_intensity(element: Element, where: str) -> tuple[str, bool]:
    """(MaxInt or "", whether the element carries the 未入電 condition)."""
    raw = text(element, "seis:MaxInt", NS)
    code = _intensity(raw, where) if raw else ""
    condition = _normal(text(element, "seis:Condition", NS))
    return code, condition == _NOT_RECEIVED


def _when(value: str, what: str, *, required: bool) -> datetime | None:
    if not value:
        if required:
            raise TelegramError(f"the telegram has no {what}")
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise TelegramError(f"the {what} {value!r} is not a date and time") from None
    if moment.tzinfo is None:
        raise TelegramError(f"the {what} {value!r} has no time zone")
    return moment


def _areas(observation: Element | None) -> tuple[str, list[AreaIntensity]]:
    if observation is None:
        return "", []
    overall, _ = _own_intensity(observation, "Observation/MaxInt")
    areas: list[AreaIntensity] = []
    for pref in observation.findall("seis:Pref", NS):
        pref_code, pref_name = text(pref, "seis:Code", NS), text(pref, "seis:Name", NS)
        pref_int, pref_unknown = _own_intensity(pref, f"prefecture {pref_code or pref_name}")
        found = [pref_int]
        for area in pref.findall("seis:Area", NS):
            code, name = text(area, "seis:Code", NS), text(area, "seis:Name", NS)
            if not code:
                raise TelegramError(f"an area of prefecture {pref_code or pref_name} has no code")
            own, unknown = _own_intensity(area, f"area {code}")
            cities = []
            for city in area.findall("seis:City", NS):
                city_code = text(city, "seis:Code", NS)
                city_int, city_unknown = _own_intensity(city, f"city {city_code} of area {code}")
                cities.append(city_int)
                unknown = unknown or city_unknown
            effective = intensity.strongest(
                own, *cities, intensity.AT_LEAST_WHEN_NOT_RECEIVED if unknown else ""
            )
            if not effective:
                raise TelegramError(f"the area {code} has neither an intensity nor a condition")
            found.append(effective)
            areas.append(AreaIntensity(code, name, pref_code, pref_name, effective, unknown))
        if pref_unknown:
            found.append(intensity.AT_LEAST_WHEN_NOT_RECEIVED)
        overall = intensity.strongest(overall, *found)
    return overall, areas


def _coordinate(value: str) -> tuple[float | None, float | None, int | None]:
    match = COORDINATE.match(value or "")
    if not match:
        return None, None, None
    lat, lon, height = match.groups()
    depth = None if height is None else abs(int(height)) // 1000
    return float(lat), float(lon), depth


def _hypocentre(body: Element) -> Hypocentre | None:
    quake = body.find("seis:Earthquake", NS)
    if quake is None:
        return None
    area = quake.find("seis:Hypocenter/seis:Area", NS)
    coordinate = area.find("eb:Coordinate", NS) if area is not None else None
    lat, lon, depth = _coordinate(coordinate.text.strip() if coordinate is not None else "")
    magnitude = quake.find("eb:Magnitude", NS)
    value = ""
    if magnitude is not None:
        value = strip_control_characters(magnitude.text or "").strip()
        if value.lower() == "nan":
            value = _normal(magnitude.get("description", "")) or ""
    return Hypocentre(
        name=text(area, "seis:Name", NS),
        latitude=lat,
        longitude=lon,
        depth_km=depth,
        magnitude=value,
    )


def parse(data: bytes) -> Telegram:
    try:
        root = load(data, max_bytes=max_bytes(), what="telegram")
    except BadDocument as exc:
        raise TelegramError(str(exc)) from None
    return from_element(root, data)


def from_element(root: Element, data: bytes) -> Telegram:
    if root.tag != f"{{{JMX}}}Report":
        raise TelegramError(f"not a JMA telegram: the root element is {root.tag!r}")
    control = root.find("jmx:Control", NS)
    head = root.find("ib:Head", NS)
    if control is None or head is None:
        raise TelegramError("the telegram lacks Control or Head in JMA's namespaces")
    title = text(control, "jmx:Title", NS)
    kind = KINDS.get(title)
    if kind is None:
        raise NotOurs(f"not a seismic-intensity telegram: {title or 'no title'}")
    body = root.find("seis:Body", NS)
    if body is None:
        raise TelegramError(f"the body is not in the seismology namespace {SEISMOLOGY}")

    status = text(control, "jmx:Status", NS)
    if status not in STATUSES:
        raise TelegramError(f"unknown Control/Status {status!r}")
    info_type = text(head, "ib:InfoType", NS)
    if info_type not in INFO_TYPES:
        raise TelegramError(f"unknown Head/InfoType {info_type!r}")
    event_id = text(head, "ib:EventID", NS)
    if not EVENT_ID.match(event_id):
        raise TelegramError(f"missing or malformed Head/EventID {event_id!r}")
    serial_text = text(head, "ib:Serial", NS) or "0"
    if not serial_text.isdigit():
        raise TelegramError(f"Head/Serial {serial_text!r} is not a number")
    reported_at = _when(text(head, "ib:ReportDateTime", NS), "Head/ReportDateTime", required=True)
    origin_at = _when(
        text(body, "seis:Earthquake/seis:OriginTime", NS), "OriginTime", required=False
    ) or _when(text(head, "ib:TargetDateTime", NS), "Head/TargetDateTime", required=False)

    max_int, areas = "", []
    if info_type != "取消":
        max_int, areas = _areas(body.find("seis:Intensity/seis:Observation", NS))
        if not areas:
            raise TelegramError("the telegram lists no area with an intensity")
    return Telegram(
        kind=kind,
        title=title,
        status=status,
        info_type=info_type,
        event_id=event_id,
        serial=int(serial_text),
        reported_at=reported_at,
        origin_at=origin_at,
        headline=text(head, "ib:Headline/ib:Text", NS),
        max_int=max_int,
        areas=tuple(areas),
        hypocentre=_hypocentre(body),
        text=text(body, "seis:Text", NS),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
