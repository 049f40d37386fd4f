"""API URLs of the worklist."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from oreledger.worklist.api import views

router = SimpleRouter(trailing_slash=False)
router.register("worklist/groups", views.GroupViewSet, basename="group")
router.register("worklist/tasks", views.TaskViewSet, basename="task")

urlpatterns = [
    path("worklist/timeliness", views.TimelinessView.as_view(), name="timeliness"),
    *router.urls,
]
