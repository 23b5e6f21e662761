"""An investor follows the market by e-mail on a phone, in English, and leaves with one click.

The mail goes over real SMTP to an aiosmtpd sink (the fault tests' sink, keeping each message).
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from status_board import services as board
from subscriptions.models import Subscriber
from tests import factories
from tests.alerts.harness import SmtpSink, wait_for
from tests.browser.conftest import PHONE


class KeepingSink(SmtpSink):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def sink(settings):
    sink = KeepingSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    yield sink
    sink.stop()


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_an_investor_subscribes_confirms_gets_a_digest_and_leaves(
    browser, live_server, transactional_db, sink, settings
):
    settings.SITE_URL = live_server.url
    settings.SUBSCRIPTION_DIGEST_WINDOW_SECONDS = 0  # this test does not wait for the window
    exchange = factories.organization(
        "PUB-EX", kind="exchange", is_public=True, name_ja="公開取引所", name_en="Public Exchange"
    )
    reporter = factories.user("rep", role="reporter", organization=exchange)
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/board/{exchange.code}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.fill("#subscribe-email", "investor@example.test")
        page.click("#subscribe button[type=submit]")
        assert "a confirmation e-mail is on its way" in page.inner_text("#subscribe-accepted")

        [confirmation] = wait_for(lambda: list(sink.messages), 10, message="no confirmation")
        link = re.search(r"https?://\S+/subscriptions/confirm/\S+/", _body(confirmation)).group(0)
        assert "confirm" in confirmation["Subject"].lower()
        page.goto(link)
        assert Subscriber.objects.get().confirmed_at is None  # opening is not confirming
        page.click("#confirm-button")
        assert "You will receive an e-mail" in page.inner_text("#subscription-confirmed")

        board.status_report_create(
            actor=reporter,
            organization=exchange,
            entry=board.ReportInput(
                function=exchange.organization_functions.first().function.code,
                status="suspended",
            ),
        )
        wait_for(lambda: len(sink.messages) == 2, 10, message="no digest")
        digest = sink.messages[1]
        assert "Public Exchange" in _body(digest) and "JST" in _body(digest)
        assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        leave = str(digest["List-Unsubscribe"]).strip().strip("<>")

        page.goto(leave)  # a GET shows the button and changes nothing
        assert Subscriber.objects.exists()
        page.click("#unsubscribe-button")
        assert "your address has been deleted" in page.inner_text("#unsubscribed")
        assert not Subscriber.objects.exists()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
