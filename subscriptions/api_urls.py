from django.urls import path

from . import api

urlpatterns = [path("subscriptions/", api.SubscriptionsView.as_view(), name="api_subscriptions")]
