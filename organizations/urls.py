from django.urls import path

from . import views
from .transfer import views as transfer_views

urlpatterns = [
    path("my/", views.my_organizations, name="my_organizations"),
    path("organizations/<str:code>/contacts/", views.contact_list, name="contact_list"),
    path("organizations/<str:code>/contacts/new/", views.contact_edit, name="contact_create"),
    path(
        "organizations/<str:code>/contacts/<int:contact_id>/edit/",
        views.contact_edit,
        name="contact_edit",
    ),
    path(
        "organizations/<str:code>/contacts/<int:contact_id>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("organizations/<str:code>/webhooks/new/", views.webhook_edit, name="webhook_create"),
    path(
        "organizations/<str:code>/webhooks/<int:webhook_id>/edit/",
        views.webhook_edit,
        name="webhook_edit",
    ),
    path(
        "organizations/<str:code>/webhooks/<int:webhook_id>/delete/",
        views.webhook_delete,
        name="webhook_delete",
    ),
    path(
        "organizations/<str:code>/bcp-profile/", views.bcp_profile_detail, name="bcp_profile_detail"
    ),
    path(
        "organizations/<str:code>/bcp-profile/edit/",
        views.bcp_profile_edit,
        name="bcp_profile_edit",
    ),
    path("manage/", views.manage_home, name="manage_home"),
    path("manage/bcp-profiles/", views.bcp_profile_overview, name="bcp_profile_overview"),
    path("manage/import/", transfer_views.transfer_import, name="transfer_import"),
    path(
        "manage/import/apply/", transfer_views.transfer_import_apply, name="transfer_import_apply"
    ),
    path(
        "manage/import/status/<str:token>/",
        transfer_views.transfer_import_status,
        name="transfer_import_status",
    ),
    path(
        "manage/export/<slug:dataset>.<slug:fmt>",
        transfer_views.transfer_export,
        name="transfer_export",
    ),
]
