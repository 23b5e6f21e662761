"""Parsing JMA telegrams: every sample, the 未入電 condition, and every way a telegram is bad."""

from __future__ import annotations

import pytest
from django.test import override_settings

from emergency_hq.quake import demo, telegram
from tests.emergency_hq.quake.helpers import sample

EXPECTED = {
    # name: (kind, status, info type, EventID, serial, max intensity, areas listed)
    "vxse51_tokyo_6lower": ("VXSE51", "通常", "発表", "20261120093512", 1, "6-", 19),
    "vxse53_tokyo_6lower": ("VXSE53", "通常", "発表", "20261120093512", 1, "6-", 20),
    "vxse53_tokyo_6upper_serial2": ("VXSE53", "通常", "発表", "20261120093512", 2, "6+", 20),
    "vxse53_tokyo_correction": ("VXSE53", "通常", "訂正", "20261120093512", 3, "6+", 20),
    "vxse53_tokyo_cancel": ("VXSE53", "通常", "取消", "20261120093512", 4, "", 0),
    "vxse53_tokyo_aftershock": ("VXSE53", "通常", "発表", "20261120114205", 1, "5-", 5),
    "vxse53_kanagawa_not_received": ("VXSE53", "通常", "発表", "20261105221833", 1, "5-", 6),
    "vxse53_kushiro_weak": ("VXSE53", "通常", "発表", "20261112031544", 1, "3", 3),
    "vxse51_miyagi_5upper": ("VXSE51", "通常", "発表", "20261102164027", 1, "5+", 6),
    "vxse51_tokyo_drill": ("VXSE51", "訓練", "発表", "20261125100000", 1, "6+", 4),
    "vxse51_test": ("VXSE51", "試験", "発表", "20261101000000", 1, "6-", 1),
}


def test_every_sample_is_covered():
    assert sorted(f"{name}.xml" for name in EXPECTED) == demo.sample_names()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_parses(name):
    t = telegram.parse(sample(name))
    kind, status, info_type, event_id, serial, max_int, n_areas = EXPECTED[name]
    assert (t.kind, t.status, t.info_type, t.event_id, t.serial) == (
        kind,
        status,
        info_type,
        event_id,
        serial,
    )
    assert t.max_int == max_int
    assert len(t.areas) == n_areas
    assert t.reported_at.tzinfo is not None
    assert len(t.sha256) == 64


def test_the_tokyo_quake_in_detail():
    t = telegram.parse(sample("vxse53_tokyo_6lower"))
    areas = {a.code: a for a in t.areas}
    assert areas["350"].name == "東京都２３区"
    assert areas["350"].max_int == "6-"
    assert areas["350"].prefecture_code == "13"
    assert areas["360"].max_int == "5+"
    assert t.hypocentre.name == "千葉県北西部"
    assert (t.hypocentre.latitude, t.hypocentre.longitude, t.hypocentre.depth_km) == (
        35.6,
        140.1,
        60,
    )
    assert t.hypocentre.magnitude == "6.4"
    assert t.origin_at.isoformat() == "2026-11-20T09:35:12+09:00"
    # VXSE51 knows the quake's time to the minute only.
    quick = telegram.parse(sample("vxse51_tokyo_6lower"))
    assert quick.origin_at.isoformat() == "2026-11-20T09:35:00+09:00"
    assert quick.hypocentre is None


def test_not_yet_received_counts_as_at_least_5_lower():
    t = telegram.parse(sample("vxse53_kanagawa_not_received"))
    west = next(a for a in t.areas if a.code == "361")
    # The area reads 4, but 箱根町 has 「震度５弱以上未入電」 instead of a reading.
    assert west.max_int == "5-"
    assert west.not_received is True
    assert t.max_int == "5-"


def test_an_area_with_only_the_condition_is_at_least_5_lower():
    data = sample("vxse53_kanagawa_not_received").replace(
        "<MaxInt>4</MaxInt>\n<City>\n<Name>小田原市</Name>".encode(),
        "<Condition>震度５弱以上未入電</Condition>\n<City>\n<Name>小田原市</Name>".encode(),
    )
    assert data != sample("vxse53_kanagawa_not_received")
    west = next(a for a in telegram.parse(data).areas if a.code == "361")
    assert west.max_int == "5-"


def test_the_cancel_carries_no_intensity():
    t = telegram.parse(sample("vxse53_tokyo_cancel"))
    assert t.is_cancel
    assert t.areas == ()
    assert "取り消します" in t.text


def test_the_dedupe_key_tells_vxse51_from_vxse53():
    quick = telegram.parse(sample("vxse51_tokyo_6lower"))
    full = telegram.parse(sample("vxse53_tokyo_6lower"))
    assert quick.event_id == full.event_id and quick.serial == full.serial
    assert quick.key != full.key


def _rejected(data: bytes) -> str:
    with pytest.raises(telegram.TelegramError) as caught:
        telegram.parse(data)
    assert not isinstance(caught.value, telegram.NotOurs)
    return str(caught.value)


def test_truncated_telegram_is_rejected():
    data = sample("vxse53_tokyo_6lower")
    assert "not well-formed" in _rejected(data[: len(data) // 2])


def test_malformed_and_empty_telegrams_are_rejected():
    assert "not well-formed" in _rejected(b"<Report><Control></Report>")
    assert "empty" in _rejected(b"  \n")


@override_settings(QUAKE_MAX_BYTES=4000)
def test_oversize_telegram_is_rejected():
    assert "larger than the limit of 4000 bytes" in _rejected(sample("vxse53_tokyo_6lower"))


def test_wrong_namespaces_are_rejected():
    data = sample("vxse51_tokyo_6lower")
    body = data.replace(b"jmaxml1/body/seismology1/", b"jmaxml1/body/meteorology1/")
    assert "seismology namespace" in _rejected(body)
    root = data.replace(
        b'<Report xmlns="http://xml.kishou.go.jp/jmaxml1/"', b'<Report xmlns="urn:other"'
    )
    assert "not a JMA telegram" in _rejected(root)


def test_unknown_intensity_code_is_rejected():
    data = sample("vxse51_tokyo_6lower").replace(
        b"<Code>351</Code>\n<MaxInt>5+</MaxInt>", b"<Code>351</Code>\n<MaxInt>5.5</MaxInt>"
    )
    assert "unknown intensity code '5.5' in area 351" in _rejected(data)


def test_entities_and_dtds_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Report>&b;</Report>'
    )
    assert "DTD or entities" in _rejected(bomb)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Report>&x;</Report>"
    )
    assert "DTD or entities" in _rejected(external)


def test_missing_or_bad_head_fields_are_rejected():
    data = sample("vxse51_tokyo_6lower")
    assert "EventID" in _rejected(data.replace(b"<EventID>20261120093512</EventID>", b""))
    assert "Control/Status" in _rejected(data.replace("通常".encode(), "本番".encode()))
    assert "InfoType" in _rejected(data.replace("<InfoType>発表".encode(), b"<InfoType>X"))


def test_other_jma_telegrams_are_not_ours():
    data = sample("vxse53_tokyo_6lower").replace(
        "<Title>震源・震度に関する情報</Title>".encode(), "<Title>震源に関する情報</Title>".encode()
    )
    with pytest.raises(telegram.NotOurs):
        telegram.parse(data)
