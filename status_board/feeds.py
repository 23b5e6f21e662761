"""Atom feeds of status changes: market-wide and per organization (visible ones only)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext as _

from common.feeds import PlainTextAtom1Feed
from organizations import selectors as org_selectors

from . import selectors
from .vocabulary import label

FEED_LENGTH = 50


class _StatusFeed(Feed):
    feed_type = PlainTextAtom1Feed

    def item_title(self, report):
        return f"{report.organization.name} — {report.function.name}: {label(report.status)}"

    def item_description(self, report):
        return report.localized_message or label(report.status)

    def item_link(self, report):
        return reverse("organization_board", args=[report.organization.code]) + (
            f"#report-{report.pk}"
        )

    def item_guid(self, report):
        return f"status-report-{report.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, report):
        return report.reported_at

    def item_updateddate(self, report):
        return report.reported_at


class MarketStatusFeed(_StatusFeed):
    def get_object(self, request):
        self.request = request
        return None

    def title(self):
        return _("BCP WEB: status changes of the market")

    def link(self):
        return reverse("home")

    def subtitle(self):
        return _("Status reports of the organizations on the board, newest first.")

    def items(self):
        return selectors.status_reports_visible(user=self.request.user)[:FEED_LENGTH]


class OrganizationStatusFeed(_StatusFeed):
    def get_object(self, request, code):
        return org_selectors.organization_get_visible(user=request.user, code=code)

    def title(self, organization):
        return _("BCP WEB: status of %(name)s") % {"name": organization.name}

    def link(self, organization):
        return reverse("organization_board", args=[organization.code])

    def subtitle(self, organization):
        return _("Status reports of %(name)s, newest first.") % {"name": organization.name}

    def items(self, organization):
        return selectors.timeline_of(organization=organization, limit=FEED_LENGTH)
