"""The project's URLs plus a page and an API route that fail, to see the 500 answers."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from oreledger.config import urls as project


def fail(request: HttpRequest) -> HttpResponse:
    """A bug, with a local variable the error page must never show."""
    station_secret = "s3cr3t-station-key"
    raise RuntimeError(f"ledger exploded near {station_secret}")


urlpatterns = [path("boom/", fail), path("api/v1/boom", fail), *project.urlpatterns]
handler400 = project.handler400
handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500
