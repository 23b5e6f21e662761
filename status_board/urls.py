from django.urls import path

from . import all_normal, feeds, views

urlpatterns = [
    path("", views.home, name="home"),
    path("board/language/", views.board_language, name="board_language"),
    path("board/fragment.html", views.board_fragment, name="board_fragment"),
    path("board/<str:code>/", views.organization_board, name="organization_board"),
    path("board/<str:code>/feed.atom", feeds.OrganizationStatusFeed(), name="feed_organization"),
    path("board/<str:code>/report/", views.status_report, name="status_report"),
    path(
        "board/<str:code>/report/all-normal/",
        all_normal.status_all_normal,
        name="status_all_normal",
    ),
    path(
        "board/<str:code>/report/all-normal/undo/",
        all_normal.status_all_normal_undo,
        name="status_all_normal_undo",
    ),
    path("report/", views.status_report_start, name="status_report_start"),
    path("feeds/status.atom", feeds.MarketStatusFeed(), name="feed_status"),
    path("members/board/", views.members_board, name="members_board"),
    path("members/board/rows/", views.members_board_rows, name="members_board_rows"),
    path("members/board/export.csv", views.members_board_csv, name="members_board_csv"),
    path("members/board/export.xlsx", views.members_board_xlsx, name="members_board_xlsx"),
]
