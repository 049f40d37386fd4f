"""URLs of dashboards."""

from django.urls import path

from oreledger.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("feed/", views.feed, name="feed"),
    path("map/", views.map_page, name="map"),
    path("screen/", views.screen, name="screen"),
    path("screen/tiles/", views.screen_tiles, name="screen_tiles"),
]
