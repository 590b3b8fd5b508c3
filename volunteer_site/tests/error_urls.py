"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from volunteer_site.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a bug, on purpose")


def suspicious(request):
    raise SuspiciousOperation("a tampered request, on purpose")


urlpatterns = [
    path("test-errors/500/", broken),
    path("test-errors/400/", suspicious),
    *site_urlpatterns,
]
