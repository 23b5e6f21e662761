from django.urls import path

from . import views
from .feeds import PublicCircularsFeed

urlpatterns = [
    path("circulars/", views.circular_list, name="circular_list"),
    path("circulars/feed/", PublicCircularsFeed(), name="circular_feed"),
    path("circulars/new/", views.circular_create, name="circular_create"),
    path("circulars/<str:number>/", views.circular_detail, name="circular_detail"),
    path(
        "circulars/<str:number>/acknowledge/",
        views.circular_acknowledge,
        name="circular_acknowledge",
    ),
    path("circulars/<str:number>/edit/", views.circular_edit, name="circular_edit"),
    path("circulars/<str:number>/withdraw/", views.circular_withdraw, name="circular_withdraw"),
    path("circulars/<str:number>/history/", views.circular_history, name="circular_history"),
    path("circulars/<str:number>/progress/", views.circular_progress, name="circular_progress"),
    path(
        "circulars/<str:number>/progress.csv",
        views.circular_progress_csv,
        name="circular_progress_csv",
    ),
    path("circulars/<str:number>/remind/", views.circular_remind, name="circular_remind"),
    path(
        "circulars/<str:number>/attachments/<int:attachment_id>/",
        views.circular_attachment,
        name="circular_attachment",
    ),
]
