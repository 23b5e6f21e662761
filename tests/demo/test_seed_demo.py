"""`manage.py seed_demo`: the demo market, safe to run at every `make run`."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum
from django.utils import timezone

from demo import data as demo_data
from demo import sites as demo_sites
from organizations import services
from organizations.models import (
    BcpProfile,
    BusinessFunction,
    Committee,
    Contact,
    JmaArea,
    Organization,
    OrganizationSite,
    SegmentParticipation,
    WebhookEndpoint,
)
from organizations.permissions import Action, can, has_role, in_group

User = get_user_model()

REAL = {
    "JSDA": ("jsda", "日本証券業協会", False),
    "TSE": ("exchange", "東京証券取引所", True),
    "OSE": ("exchange", "大阪取引所", True),
    "JASDEC": ("depository", "証券保管振替機構", True),
    "JSCC": ("clearing", "日本証券クリアリング機構", True),
    "BOJ": ("central_bank", "日本銀行", True),
    "FSA": ("regulator", "金融庁", False),
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def snapshot() -> dict[str, int]:
    """Row counts of every organizations model, its history tables included."""
    counts = {
        m.__name__: m.objects.count() for m in apps.get_app_config("organizations").get_models()
    }
    counts["User"] = User.objects.count()
    return counts


def test_it_creates_the_real_institutions(seeded):
    for code, (kind, name_ja, is_public) in REAL.items():
        institution = org(code)
        assert (institution.kind, institution.name_ja, institution.is_public) == (
            kind,
            name_ja,
            is_public,
        )
        assert institution.website.startswith("https://www.")
        assert "example" not in institution.website
    assert org("TSE").address_ja.startswith("東京都中央区日本橋兜町2-1")
    assert org("OSE").address_ja.startswith("大阪府大阪市中央区北浜1-8-16")
    assert org("BOJ").address_ja == "東京都中央区日本橋本石町2-1-1"
    # JGBCC merged into JSCC in 2013.
    assert not Organization.objects.filter(code="JGBCC").exists()


def test_the_fictional_participants_say_so_and_use_example_domains(seeded):
    fictional = Organization.objects.exclude(code__in=REAL)
    kinds = {row["kind"]: row["n"] for row in fictional.values("kind").annotate(n=Count("id"))}
    assert kinds["securities_firm"] >= 32
    assert kinds["bank"] >= 3
    assert kinds["pts"] == 1
    public_firms = fictional.filter(kind="securities_firm", is_public=True).count()
    assert 6 <= public_firms <= 10
    for o in fictional:
        assert o.name_ja.endswith("（架空）"), o.code
        assert o.name_en.endswith("(fictional)"), o.code
        assert ".example.jp/" in o.website, o.code
    assert org("SAKURA").is_public and not org("MIDORI").is_public
    emails = Contact.objects.values_list("email", flat=True)
    assert all(e.endswith(".example.jp") for e in emails)
    assert all(w.url.startswith("https://hooks.example.jp/") for w in WebhookEndpoint.objects.all())


def test_every_organization_has_a_contact_tree_and_a_bcp_profile(seeded):
    for o in Organization.objects.prefetch_related("contacts"):
        contacts = list(o.contacts.all())
        assert 3 <= len(contacts) <= 5, o.code
        heads = [c for c in contacts if c.order == 1]
        assert len(heads) == 1 and heads[0].parent is None, o.code
        for deputy in (c for c in contacts if c.order == 2):
            assert deputy.parent_id == heads[0].pk, o.code
        for c in contacts:
            if c.order == 3:
                assert c.parent.order == 2, o.code
            assert c.email and c.phone and c.sms_number, o.code
        assert BcpProfile.objects.filter(organization=o).exists(), o.code
    languages = dict(Contact.objects.values_list("language").annotate(n=Count("id")))
    assert languages["ja"] > 10 * languages["en"] > 0
    assert Contact.objects.get(organization__code="HARBOR", order=1).language == "en"
    assert WebhookEndpoint.objects.filter(organization__code="TSE").count() == 2


def test_five_bcp_plans_are_overdue_for_review(seeded):
    year_ago = timezone.localdate() - timedelta(days=365)
    overdue = BcpProfile.objects.filter(plan_reviewed_on__lt=year_ago)
    assert overdue.count() == 5
    profile = BcpProfile.objects.get(organization__code="SAKURA")
    assert profile.backup_site_location == "大阪バックアップセンター"
    assert profile.data_backup_offsite and profile.last_internal_drill_on
    assert BcpProfile.objects.filter(backup_site_kind="none", data_backup_offsite=False).exists()


def test_functions_follow_the_kind_with_a_few_custom_rtos(seeded):
    def functions(code):
        return {
            of.function.code: of.effective_rto_minutes
            for of in org(code).organization_functions.select_related("function")
        }

    assert set(functions("TSE")) == {"order_acceptance", "trading", "market_data"}
    assert functions("TSE")["market_data"] == 60
    assert functions("BOJ") == {"funds_settlement": 120, "settlement": 120}
    assert functions("HIBARI")["online_trading"] == 60
    assert "online_trading" not in functions("HARBOR")
    default = BusinessFunction.objects.get(code="custody").default_rto_minutes
    assert functions("MIDORI")["custody"] == default
    assert functions("JSDA") == {}


def test_trading_value_shares_sum_to_100_in_each_segment(seeded):
    for segment in ("exchange", "bond", "otc"):
        rows = SegmentParticipation.objects.filter(segment=segment)
        assert rows.aggregate(total=Sum("weight"))["total"] == Decimal(100), segment
        firms = rows.filter(weight__isnull=False)
        assert not firms.exclude(organization__kind__in=["securities_firm", "bank"]).exists()
        venues = set(rows.filter(weight__isnull=True).values_list("organization__code", flat=True))
        assert {"JSCC", "JASDEC"} <= venues, segment


def test_retail_shares_sum_to_100_among_the_retail_brokers(seeded):
    retail = SegmentParticipation.objects.filter(segment="exchange", retail_weight__gt=0)
    assert retail.aggregate(total=Sum("retail_weight"))["total"] == Decimal(100)
    assert 8 <= retail.count() <= 14
    assert set(
        SegmentParticipation.objects.filter(organization__code="TSE").values_list(
            "segment", flat=True
        )
    ) == {"exchange"}
    assert SegmentParticipation.objects.filter(organization__code="AKATSUKI-PTS").get().segment == (
        "otc"
    )


def test_committee_seats(seeded):
    def members(code):
        return set(Committee.objects.get(code=code).members.values_list("code", flat=True))

    assert set(REAL) <= members("COUNCIL")
    assert set(REAL) <= members("COMMITTEE")
    exchange_firms = set(
        SegmentParticipation.objects.filter(
            segment="exchange", organization__kind="securities_firm"
        ).values_list("organization__code", flat=True)
    )
    assert exchange_firms <= members("WG-EXCHANGE")
    assert "SEIRAN" in members("WG-BOND") and "SEIRAN" not in members("WG-EXCHANGE")
    assert {"AKATSUKI-PTS", "KIRI"} <= members("WG-OTC")
    assert "MIDORI" not in members("COUNCIL")


def test_demo_accounts_have_their_roles_and_the_documented_password(seeded):
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    assert set(users) == {row[0] for row in demo_data.DEMO_USERS}
    for user in users.values():
        assert user.check_password("bcpweb-demo-2026")
        assert user.email == f"{user.username}@example.jp"
    sakura, midori, tse = org("SAKURA"), org("MIDORI"), org("TSE")
    assert in_group(users["demo-admin"], "jsda_admin") and users["demo-admin"].is_staff
    assert can(users["demo-admin"], Action.ADMINISTER)
    assert can(users["demo-hq"], Action.RUN_HQ)
    assert not can(users["demo-hq"], Action.ADMINISTER)
    for regulator in ("demo-fsa", "demo-boj"):
        assert in_group(users[regulator], "regulator")
        assert can(users[regulator], Action.READ_EVERYTHING)
        assert not can(users[regulator], Action.REPORT_STATUS, tse)
    assert can(users["demo-tse"], Action.REPORT_STATUS, tse)
    assert not can(users["demo-tse"], Action.REPORT_STATUS, sakura)
    assert has_role(users["demo-reporter"], sakura, "reporter")
    assert can(users["demo-reporter"], Action.MANAGE_CONTACTS, sakura)
    assert not can(users["demo-reporter"], Action.VIEW_CONTACTS, midori)
    assert has_role(users["demo-viewer"], sakura, "viewer")
    assert not can(users["demo-viewer"], Action.REPORT_STATUS, sakura)
    assert can(users["demo-viewer"], Action.VIEW_MEMBERS_AREA)
    assert can(users["demo-midori"], Action.REPORT_STATUS, midori)
    assert not can(users["demo-midori"], Action.REPORT_STATUS, sakura)


def test_it_prints_a_summary_with_the_demo_accounts(seeded):
    assert "45 organizations (7 real institutions" in seeded
    assert "password bcpweb-demo-2026" in seeded
    lines = seeded.splitlines()
    for username, role, org_code, _purpose in demo_data.DEMO_USERS:
        line = next(line for line in lines if line.split()[:1] == [username])
        assert (f"{role} of {org_code}" if org_code else role) in line
    assert "Created by this run: nothing" in seed()


def test_running_it_twice_changes_nothing(seeded):
    before = snapshot()
    seed()
    assert snapshot() == before


def test_a_rerun_keeps_edits_and_restores_the_demo_accounts(seeded):
    system = services.system_actor()
    sakura = org("SAKURA")
    sakura.name_ja = "さくら証券ホールディングス（架空）"
    services.organization_save(actor=system, organization=sakura)
    services.contact_delete(
        actor=system, contact=Contact.objects.get(organization__code="MIDORI", order=1)
    )
    services.role_revoke(
        actor=system,
        user=User.objects.get(username="demo-tse"),
        role="reporter",
        organization=org("TSE"),
    )
    wg_otc = Committee.objects.get(code="WG-OTC")
    wg_otc.members.remove(org("SAKURA"))
    hq = User.objects.get(username="demo-hq")
    hq.set_password("changed-by-the-user-99")
    hq.save()
    organizations = Organization.objects.count()

    seed()

    assert org("SAKURA").name_ja == "さくら証券ホールディングス（架空）"
    # The remaining tree is kept as edited, not topped up with duplicates.
    assert Contact.objects.filter(organization__code="MIDORI").count() == 3
    assert Organization.objects.count() == organizations
    assert not wg_otc.members.filter(code="SAKURA").exists()
    assert User.objects.get(username="demo-hq").check_password("bcpweb-demo-2026")
    assert can(User.objects.get(username="demo-tse"), Action.REPORT_STATUS, org("TSE"))


def test_a_rerun_fills_in_what_is_missing(seeded):
    from alerts.models import AlertTarget
    from drills.models import DrillParticipant, DrillStatusReport
    from status_board.models import CurrentStatus, StatusReport

    # Status history (and the demo drill's) protects an organization from deletion; clear it
    # to simulate a loss.
    CurrentStatus.objects.filter(organization__code="KOHAKU").delete()
    StatusReport.objects.filter(organization__code="KOHAKU").delete()
    DrillStatusReport.objects.filter(organization__code="KOHAKU").delete()
    DrillParticipant.objects.filter(organization__code="KOHAKU").delete()
    AlertTarget.objects.filter(organization__code="KOHAKU").delete()
    org("KOHAKU").delete()
    Contact.objects.filter(organization__code="KIRI").delete()
    BcpProfile.objects.filter(organization__code="KIRI").delete()
    User.objects.filter(username="demo-viewer").delete()
    Committee.objects.get(code="WG-OTC").delete()

    out = seed()

    assert "Created by this run: organizations 1," in out
    kohaku = org("KOHAKU")
    assert kohaku.contacts.count() == 3 and kohaku.segments.count() == 2
    assert kohaku.committees.filter(code="WG-OTC").exists()
    assert Contact.objects.filter(organization__code="KIRI").count() == 3
    assert BcpProfile.objects.filter(organization__code="KIRI").exists()
    assert has_role(User.objects.get(username="demo-viewer"), org("SAKURA"), "viewer")
    restored = Committee.objects.get(code="WG-OTC")
    assert {"AKATSUKI-PTS", "SAKURA", "KIRI"} <= set(
        restored.members.values_list("code", flat=True)
    )


def test_the_demo_institutions_have_their_sites_in_jma_areas(seeded):
    head = dict(
        OrganizationSite.objects.filter(kind="head_office").values_list(
            "organization__code", "area_id"
        )
    )
    assert set(head) == set(Organization.objects.values_list("code", flat=True))
    assert (head["TSE"], head["OSE"], head["SAKURA"]) == ("350", "520", "350")
    backup = OrganizationSite.objects.get(organization__code="SAKURA", kind="backup_site")
    assert backup.area.name_ja == "大阪府北部"
    assert OrganizationSite.objects.get(organization__code="TSE", kind="data_centre").area_id == (
        "341"
    )
    codes = {a for sites in demo_sites.DEMO_SITES.values() for _kind, a, _label in sites}
    assert codes <= set(JmaArea.objects.values_list("code", flat=True))


def test_a_rerun_keeps_the_sites_an_organization_edited(seeded):
    system = services.system_actor()
    services.organization_sites_set(
        actor=system, organization=org("SAKURA"), sites=[("head_office", "360", "横浜本社")]
    )
    seed()
    assert list(org("SAKURA").sites.values_list("kind", "area_id")) == [("head_office", "360")]
    assert org("TSE").sites.count() == len(demo_sites.DEMO_SITES["TSE"])


def test_history_is_attributed_to_the_system_user(seeded):
    system = services.system_actor()
    for model in (Organization, Contact, BcpProfile, SegmentParticipation, WebhookEndpoint):
        history = model.history.all()
        assert history.exists(), model.__name__
        assert set(history.values_list("history_user", flat=True)) == {system.pk}, model.__name__
    committee_history = Committee.history.filter(history_type="~")
    assert committee_history.exists()
    assert set(committee_history.values_list("history_user", flat=True)) == {system.pk}
    demo_history = User.history.filter(username__startswith="demo-")
    assert set(demo_history.values_list("history_user", flat=True)) == {system.pk}
    assert set(BcpProfile.objects.values_list("updated_by", flat=True)) == {system.pk}


def test_it_refuses_to_run_under_the_production_settings(db, settings):
    settings.SETTINGS_MODULE = "bcpweb.settings.production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.filter(username__startswith="demo-").exists()


@pytest.mark.django_db
def test_the_demo_board_shows_a_living_market(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the board rebuilds on commit
        call_command("seed_demo", stdout=StringIO())
    board = client.get("/api/v1/board/").json()
    sakura = next(o for o in board["organizations"] if o["code"] == "SAKURA")
    statuses = {f["function"]: f["status"] for f in sakura["functions"]}
    assert statuses["customer_support"] == "degraded"
    assert statuses["trading"] == "normal"
    assert "KOGANE" not in {o["code"] for o in board["organizations"]}  # members only
    call_command("seed_demo", stdout=StringIO())
    from bulletin.models import Circular

    assert Circular.objects.count() == 2
