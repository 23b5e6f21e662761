"""Sites in JMA seismic areas: the shipped table, its loader, and who may edit an org's sites."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organizations.jma_areas import shipped_rows
from organizations.models import JmaArea, OrganizationSite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def areas(db):
    from organizations.jma_areas import load_areas

    if not JmaArea.objects.exists():
        load_areas(JmaArea, shipped_rows())


KANTO_AND_KANSAI = {
    "300": "茨城県北部",
    "301": "茨城県南部",
    "310": "栃木県北部",
    "311": "栃木県南部",
    "320": "群馬県北部",
    "321": "群馬県南部",
    "330": "埼玉県北部",
    "331": "埼玉県南部",
    "332": "埼玉県秩父",
    "340": "千葉県北東部",
    "341": "千葉県北西部",
    "342": "千葉県南部",
    "350": "東京都２３区",
    "351": "東京都多摩東部",
    "352": "東京都多摩西部",
    "354": "神津島",
    "355": "伊豆大島",
    "356": "新島",
    "357": "三宅島",
    "358": "八丈島",
    "359": "小笠原",
    "360": "神奈川県東部",
    "361": "神奈川県西部",
    "500": "滋賀県北部",
    "501": "滋賀県南部",
    "510": "京都府北部",
    "511": "京都府南部",
    "520": "大阪府北部",
    "521": "大阪府南部",
    "530": "兵庫県北部",
    "531": "兵庫県南東部",
    "532": "兵庫県南西部",
    "535": "兵庫県淡路島",
    "540": "奈良県",
    "550": "和歌山県北部",
    "551": "和歌山県南部",
}


def test_the_shipped_table_has_every_prefecture_and_all_of_kanto_and_kansai():
    rows = {r.code: r for r in shipped_rows()}
    assert len({r.prefecture_code for r in rows.values()}) == 47
    for code, name in KANTO_AND_KANSAI.items():
        assert rows[code].name_ja == name, code
        assert rows[code].name_en, code
    assert rows["350"].name_en == "Tokyo 23 Wards"
    assert (rows["520"].prefecture_ja, rows["520"].prefecture_en) == ("大阪府", "Osaka")
    assert rows["220"].name_ja == "宮城県北部"
    assert JmaArea.objects.get(code="360").name_ja == "神奈川県東部"


def test_load_jma_areas_reads_jmas_own_table_in_shift_jis(tmp_path, capsys):
    path = tmp_path / "areas.csv"
    path.write_bytes("コード,名称\n350,東京都２３区\n999,架空県テスト\n".encode("cp932"))
    call_command("load_jma_areas", str(path))
    assert "2 areas read: 1 created, 0 updated" in capsys.readouterr().out
    kept = JmaArea.objects.get(code="350")
    assert kept.name_en == "Tokyo 23 Wards"  # English names the file lacks are kept
    assert JmaArea.objects.get(code="999").name_ja == "架空県テスト"


def test_load_jma_areas_refuses_a_bad_file_with_one_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name_ja\n35,東京\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2: '35' is not a three-digit JMA area code"):
        call_command("load_jma_areas", str(path))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_jma_areas", str(tmp_path / "missing.csv"))
    assert not JmaArea.objects.filter(code="35").exists()


def _post(client, org, rows, **profile):
    data = {
        "sites-TOTAL_FORMS": str(len(rows)),
        "sites-INITIAL_FORMS": "0",
        "sites-MIN_NUM_FORMS": "0",
        "sites-MAX_NUM_FORMS": "20",
        "backup_site_kind": "none",
        **profile,
    }
    for i, (kind, area, label) in enumerate(rows):
        data.update({f"sites-{i}-kind": kind, f"sites-{i}-area": area, f"sites-{i}-label": label})
    return client.post(f"/organizations/{org.code}/bcp-profile/edit/", data)


def test_a_reporter_keeps_its_sites_on_the_bcp_profile(client, login, org_a, reporter_a):
    login(reporter_a)
    page = client.get(f"/organizations/{org_a.code}/bcp-profile/edit/").content.decode()
    assert "東京都２３区" in page and 'name="sites-0-area"' in page
    response = _post(
        client,
        org_a,
        [
            ("head_office", "350", "本社"),
            ("backup_site", "520", "大阪バックアップセンター"),
            ("", "", ""),
        ],
    )
    assert response.status_code == 302
    sites = {(s.kind, s.area_id, s.label) for s in org_a.sites.all()}
    assert sites == {
        ("head_office", "350", "本社"),
        ("backup_site", "520", "大阪バックアップセンター"),
    }
    detail = client.get(f"/organizations/{org_a.code}/bcp-profile/").content.decode()
    assert "大阪府北部" in detail and "本社" in detail
    assert org_a.sites.first().history.first().history_user == reporter_a


def test_removing_and_refusing_sites(client, login, org_a, reporter_a):
    login(reporter_a)
    _post(client, org_a, [("head_office", "350", ""), ("data_centre", "341", "")])
    response = _post(client, org_a, [("head_office", "350", "")])
    assert response.status_code == 302
    assert list(org_a.sites.values_list("area_id", flat=True)) == ["350"]
    response = _post(client, org_a, [("head_office", "777777", "")])
    assert response.status_code == 200  # the form again, with the error
    assert list(org_a.sites.values_list("area_id", flat=True)) == ["350"]


def test_only_the_organizations_own_reporters_edit_its_sites(
    client, login, org_a, reporter_b, viewer_a, hq_user
):
    for outsider in (reporter_b, viewer_a, hq_user):
        login(outsider)
        response = _post(client, org_a, [("head_office", "350", "")])
        assert response.status_code in (403, 404), outsider
    assert not OrganizationSite.objects.exists()


def test_jsda_admin_edits_sites_and_areas_in_admin(client, login, org_a, admin_user, hq_user):
    login(hq_user)
    assert client.get("/admin/organizations/organizationsite/").status_code == 302
    login(admin_user)
    assert client.get("/admin/organizations/organizationsite/add/").status_code == 200
    assert client.get("/admin/organizations/jmaarea/?q=350").status_code == 200
    response = client.post(
        "/admin/organizations/organizationsite/add/",
        {"organization": org_a.pk, "kind": "data_centre", "area": "341", "label": "印西"},
    )
    assert response.status_code == 302
    assert org_a.sites.get().area.name_ja == "千葉県北西部"
