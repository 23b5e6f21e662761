from django.urls import path

from . import report_views, views

urlpatterns = [
    path("drills/", views.drill_list, name="drill_list"),
    path("drills/new/", views.drill_create, name="drill_create"),
    path("drills/<int:drill_id>/", views.drill_detail, name="drill_detail"),
    path("drills/<int:drill_id>/start/", views.drill_start, name="drill_start"),
    path("drills/<int:drill_id>/close/", views.drill_close, name="drill_close"),
    path("drills/<int:drill_id>/board/", views.drill_board, name="drill_board"),
    path("drills/<int:drill_id>/notes/", views.drill_notes, name="drill_notes"),
    path(
        "drills/<int:drill_id>/contact/<str:code>/",
        views.drill_test_contact,
        name="drill_test_contact",
    ),
    path("drills/<int:drill_id>/report/", report_views.drill_report, name="drill_report"),
    path(
        "drills/<int:drill_id>/report.csv", report_views.drill_report_csv, name="drill_report_csv"
    ),
    path(
        "drills/<int:drill_id>/report.xlsx",
        report_views.drill_report_xlsx,
        name="drill_report_xlsx",
    ),
    path(
        "drills/<int:drill_id>/report.pdf", report_views.drill_report_pdf, name="drill_report_pdf"
    ),
]
