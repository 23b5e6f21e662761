"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server.

These tests need /usr/bin/chromium: `make test` installs it (scripts/system-packages.sh).
Without it they fail, never skip.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests import factories

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test
# itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: bash scripts/system-packages.sh test (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context(browser, *, viewport=None, locale="ja-JP"):
    return browser.new_context(
        viewport=viewport or {"width": 1280, "height": 900},
        locale=locale,
        timezone_id="Asia/Tokyo",
    )


@pytest.fixture
def page(browser, transactional_db):
    context = _context(browser)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, transactional_db):
    context = _context(browser, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def new_page(browser, transactional_db):
    """A factory for extra pages, each in its own context (two users side by side)."""
    contexts = []

    def _new(*, viewport=None, locale="ja-JP"):
        context = _context(browser, viewport=viewport, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield _new
    for context in contexts:
        context.close()


def browser_login(page, live_server, user, password: str = factories.PASSWORD) -> None:
    """Log in through the real form, answering the TOTP step when the role needs it."""
    from organizations import permissions

    needs_otp = permissions.requires_two_factor(user)
    device = factories.verified_device(user) if needs_otp else None
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    if needs_otp:
        from django_otp.oath import totp

        page.wait_for_url("**/accounts/otp/verify/**")
        page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
        page.click("#otp-form button[type=submit]")
    page.wait_for_load_state()
