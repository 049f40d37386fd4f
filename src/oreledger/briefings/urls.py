"""Page routes of briefings."""

from django.urls import path

from oreledger.briefings import views

app_name = "briefings"

urlpatterns = [
    path("", views.briefing_list, name="briefing_list"),
    path("week/", views.week_page, name="week"),
    path("new/", views.briefing_new, name="briefing_new"),
    path("<int:pk>/", views.briefing_detail, name="briefing_detail"),
    path("<int:pk>/narrative/", views.briefing_narrative, name="briefing_narrative"),
    path("<int:pk>/issue/", views.briefing_issue, name="briefing_issue"),
]
