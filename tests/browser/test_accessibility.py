"""axe-core in Chromium on the main pages of every journey, in Japanese and English: no
critical or serious finding (issue 11).

axe comes from tests/browser/vendor/ (the npm package, vendored; no CDN). Every rule of axe's
default set runs; none is disabled.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.services import circular_publish
from emergency_hq.incidents import services as incident_services
from organizations import permissions
from tests import factories
from tests.alerts.conftest import ack_tokens
from tests.browser.conftest import browser_login
from tests.emergency_hq.incident_fixtures import bilingual_incident, build_market, report

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
LOCALES = {"ja": "ja-JP", "en": "en-US"}
BLOCKING = ("critical", "serious")

_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " — " + n.failureSummary),
  }));
}"""


def _axe_page(browser, language):
    # The pages send a strict CSP (script-src 'self', no inline script): the script tag that
    # Playwright adds with axe's source is inline and would be refused. Bypassing the CSP in
    # this context changes nothing axe looks at; tests/browser/test_csp.py keeps the CSP honest.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale=LOCALES[language],
        timezone_id="Asia/Tokyo",
        bypass_csp=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _findings(page, language) -> list[str]:
    assert page.get_attribute("html", "lang") == language, page.url
    page.add_script_tag(path=str(AXE))
    found = []
    for violation in page.evaluate(_RUN_AXE):
        if violation["impact"] in BLOCKING:
            nodes = "\n      ".join(violation["nodes"])
            found.append(
                f"{page.url} [{violation['impact']}] {violation['id']}: {violation['help']}"
                f"\n      {nodes}"
            )
    return found


@pytest.fixture
def crisis(transactional_db):
    """A market in a crisis: reports, an incident with the HQ convened, a circular that asks
    for acknowledgement and went along the contact trees as an alert."""
    hq = factories.user("hq", role="hq_staff")
    market = build_market()
    report(market["BIG"], "degraded")
    incident = bilingual_incident(hq)
    incident_services.hq_convene(
        actor=hq,
        incident=incident,
        location="協会本部",
        location_en="JSDA head office",
        participants=[market["TSE"], market["JSCC"]],
    )
    circular = circular_publish(
        actor=hq,
        title_ja="地震に関する通達",
        title_en="Circular on the earthquake",
        body_ja="## 状況\n\n**受領**を連絡してください。\n\n#### 判断理由\n\n売買停止。",
        body_en="## Situation\n\nPlease **acknowledge**.\n\n#### Rationale\n\nTrading halted.",
        category="general",
        audience="members",
        requires_ack=True,
    )
    reporter = factories.user("reporter_big", role="reporter", organization=market["BIG"])
    return {
        "hq": hq,
        "reporter": reporter,
        "incident": incident,
        "circular": circular,
        "ack_token": ack_tokens()["head.big@example.test"],
    }


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_main_pages_have_no_serious_accessibility_finding(
    browser, live_server, crisis, language
):
    found = []
    contexts = []
    try:
        visitor_context, visitor = _axe_page(browser, language)
        contexts.append(visitor_context)
        for path in ("/", f"/ack/{crisis['ack_token']}/"):
            visitor.goto(f"{live_server.url}{path}")
            found += _findings(visitor, language)

        # A logged-out reporter follows the members-only circular's link: the login page
        # first, then the circular itself.
        reporter = visitor
        circular = f"/circulars/{crisis['circular'].number}/"
        reporter.goto(f"{live_server.url}{circular}")
        assert "/accounts/login/?next=" in reporter.url
        found += _findings(reporter, language)
        assert not permissions.requires_two_factor(crisis["reporter"])
        reporter.fill("input[name=username]", crisis["reporter"].username)
        reporter.fill("input[name=password]", factories.PASSWORD)
        reporter.click("#login-form button[type=submit]")
        reporter.wait_for_url(f"**{circular}")
        found += _findings(reporter, language)
        assert reporter.locator("form[action$='/acknowledge/']").count() == 1
        for path in ("/report/", "/members/board/"):
            reporter.goto(f"{live_server.url}{path}")
            found += _findings(reporter, language)

        hq_context, hq = _axe_page(browser, language)
        contexts.append(hq_context)
        browser_login(hq, live_server, crisis["hq"])
        hq.goto(f"{live_server.url}/hq/incidents/{crisis['incident'].pk}/")
        found += _findings(hq, language)
    finally:
        for context in contexts:
            context.close()
    assert found == [], f"{len(found)} critical or serious axe findings:\n" + "\n".join(found)


def test_axe_does_see_a_serious_finding(browser, live_server, transactional_db):
    """The check itself works: an image without a text alternative is reported as critical."""
    context, page = _axe_page(browser, "ja")
    try:
        page.goto(f"{live_server.url}/")
        page.evaluate(
            "() => { const i = document.createElement('img'); i.src = '/favicon.ico';"
            " document.querySelector('main').appendChild(i); }"
        )
        found = _findings(page, "ja")
    finally:
        context.close()
    assert any("image-alt" in f for f in found), found
