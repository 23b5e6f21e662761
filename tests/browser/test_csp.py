"""The main pages work in Chromium under the Content-Security-Policy: no violation at all.

A violation is caught twice: the page's ``securitypolicyviolation`` events and Chromium's
"Refused to …" console errors.
"""

from __future__ import annotations

from .conftest import browser_login

_LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""


def _watch(page):
    console = []
    page.add_init_script(_LISTEN)
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return console


def _violations(page, console) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []")) + console


def test_the_main_pages_run_without_a_csp_violation(
    new_page, live_server, reporter_a, org_a, hq_user
):
    visitor = new_page()
    console = _watch(visitor)
    visitor.goto(f"{live_server.url}/")
    assert visitor.locator("h1").count() >= 1
    visitor.goto(f"{live_server.url}/api/docs/")
    # Swagger UI started (its script is a file now) and drew the API's title.
    visitor.wait_for_selector(".swagger-ui .info .title")
    assert "BCP WEB API" in visitor.locator(".swagger-ui .info .title").inner_text()
    assert _violations(visitor, console) == []

    reporter = new_page()
    console = _watch(reporter)
    browser_login(reporter, live_server, reporter_a)
    reporter.goto(f"{live_server.url}/report/")
    assert reporter.locator("form").count() >= 1
    reporter.goto(f"{live_server.url}/members/board/")
    reporter.wait_for_timeout(5500)  # one htmx poll of the rows
    assert _violations(reporter, console) == []

    hq = new_page()
    console = _watch(hq)
    browser_login(hq, live_server, hq_user)
    hq.goto(f"{live_server.url}/hq/incidents/")
    assert hq.locator("h1").count() >= 1
    assert _violations(hq, console) == []


def test_a_violation_would_be_seen(new_page, live_server):
    """The watcher itself works: an inline script injected into a page is refused and seen."""
    page = new_page()
    console = _watch(page)
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in _violations(page, console))
