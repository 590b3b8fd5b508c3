"""The site's settings plus the benchmark-only views (bench/urls.py). Never deployed."""

from volunteer_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
