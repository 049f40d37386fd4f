"""API URLs of dashboards: one endpoint per figure."""

from django.urls import path

from oreledger.dashboards.api.views import FigureView
from oreledger.dashboards.catalogue import FIGURES

urlpatterns = [
    path(f"dashboard/{name}/", FigureView.as_view(), {"name": name}, name=name) for name in FIGURES
]
