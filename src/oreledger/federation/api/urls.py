"""API URLs of federation: the signed node protocol and the node table."""

from django.urls import path

from oreledger.federation.api import views

urlpatterns = [
    path("federation/changes", views.ChangesView.as_view(), name="federation_changes"),
    path("federation/heartbeat", views.HeartbeatView.as_view(), name="federation_heartbeat"),
    path("federation/reference", views.ReferenceView.as_view(), name="federation_reference"),
    path("federation/nodes", views.NodesView.as_view(), name="federation_nodes"),
]
