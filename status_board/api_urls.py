from django.urls import path

from . import api

urlpatterns = [
    path("board/", api.Board.as_view(), name="api_board"),
    path("status-reports/", api.StatusReportList.as_view(), name="api_status_reports"),
]
