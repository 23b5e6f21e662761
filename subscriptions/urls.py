from django.urls import path

from . import feeds, views

urlpatterns = [
    path("subscriptions/", views.subscribe, name="subscribe"),
    path("subscriptions/privacy/", views.privacy, name="subscription_privacy"),
    path("subscriptions/confirm/<str:token>/", views.confirm, name="subscription_confirm"),
    path("subscriptions/manage/<str:token>/", views.manage, name="subscription_manage"),
    path(
        "subscriptions/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="subscription_unsubscribe",
    ),
    path("feeds/banner/<str:segment>.atom", feeds.BannerFeed(), name="feed_banner"),
    path("feeds/circulars/<str:category>.atom", feeds.CircularsFeed(), name="feed_circulars"),
]
