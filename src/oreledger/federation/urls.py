"""Pages of federation."""

from django.urls import path

from oreledger.federation.views import nodes

app_name = "federation"
urlpatterns = [path("nodes/", nodes.node_list, name="node_list")]
