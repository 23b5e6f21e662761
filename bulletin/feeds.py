"""Atom feed of public circulars: investors and the press subscribe without an account."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.feeds import SafeAtom1Feed

from .models import Audience, Circular

FEED_SIZE = 50


class PublicCircularsFeed(Feed):
    feed_type = SafeAtom1Feed
    title = gettext_lazy("BCP WEB circulars")
    subtitle = gettext_lazy("Public circulars of the securities market business continuity portal")

    def link(self):
        return reverse("circular_list")

    def items(self):
        # Public only, whoever asks: feed readers and caches share one answer.
        return (
            Circular.objects.filter(audience=Audience.PUBLIC)
            .select_related("issuer_organization")
            .order_by("-published_at", "-sequence")[:FEED_SIZE]
        )

    def item_title(self, item):
        prefix = f"[{_('Withdrawn')}] " if item.is_withdrawn else ""
        return f"{prefix}{item.number} {item.title}"

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return reverse("circular_detail", args=[item.number])

    def item_guid(self, item):
        return f"urn:bcpweb:circular:{item.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_category_display()]
