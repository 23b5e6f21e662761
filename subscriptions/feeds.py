"""Atom feeds for those who prefer them to e-mail: the banner per market segment, and public
circulars by category. Both read the public changes subscriptions records (never a drill)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from common.feeds import PlainTextAtom1Feed
from organizations.vocabulary import Segment

from .forms import CATEGORIES
from .models import ChangeKind, PublicChange

FEED_LENGTH = 50


def segment_label(code: str) -> str:
    return str(Segment(code).label)


def _language() -> str:
    return "en" if (translation.get_language() or "ja").startswith("en") else "ja"


class _ChangesFeed(Feed):
    feed_type = PlainTextAtom1Feed

    def item_title(self, change):
        return change.title_for(_language())

    def item_description(self, change):
        return f"{change.get_kind_display()}: {change.title_for(_language())}"

    def item_link(self, change):
        return change.path

    def item_guid(self, change):
        return f"public-change-{change.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, change):
        return change.occurred_at

    def item_updateddate(self, change):
        return change.occurred_at


class BannerFeed(_ChangesFeed):
    def get_object(self, request, segment):
        if segment not in Segment.values:
            raise Http404
        return segment

    def title(self, segment):
        return _("BCP WEB market-wide announcements: %(segment)s") % {
            "segment": segment_label(segment)
        }

    def link(self, segment):
        return reverse("home")

    def items(self, segment):
        segments = {segment, Segment.ALL} if segment != Segment.ALL else set(Segment.values)
        return PublicChange.objects.filter(kind=ChangeKind.BANNER, segment__in=segments).order_by(
            "-occurred_at", "-id"
        )[:FEED_LENGTH]


class CircularsFeed(_ChangesFeed):
    def get_object(self, request, category):
        labels = dict(CATEGORIES)
        if category not in labels:
            raise Http404
        return category

    def title(self, category):
        return _("BCP WEB public circulars: %(category)s") % {
            "category": dict(CATEGORIES)[category]
        }

    def link(self, category):
        return reverse("circular_list")

    def items(self, category):
        return PublicChange.objects.filter(kind=ChangeKind.CIRCULAR, category=category).order_by(
            "-occurred_at", "-id"
        )[:FEED_LENGTH]
