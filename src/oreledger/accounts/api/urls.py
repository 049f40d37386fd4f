"""API URLs of accounts."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from oreledger.accounts.api import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("users", views.UserViewSet, basename="user")

urlpatterns = [path("me", views.me, name="me"), *router.urls]
