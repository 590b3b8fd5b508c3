"""What the benchmark scripts share: Django set-up, a throw-away database, timing, output.

Every script runs in two modes:

* full (default): against ``DATABASE_URL``, which ``manage.py seed_bulk`` has filled
  (docs/performance.md gives the commands);
* ``--smoke``: tiny sizes in a throw-away PostgreSQL database created next to
  ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/volunteer``),
  migrated, seeded with a few teams, and dropped at the end: a few seconds, so CI
  runs them and they cannot rot.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/volunteer"
# Production-like settings over plain HTTP on loopback (README § Running it for real).
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "false",
    "DJANGO_STATIC_MANIFEST": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
}
SMOKE_SIZES = {"teams": 6, "members_per_team": 12, "years": 2, "reference_members": 40}
SEED = 1


def setup_django() -> None:
    """Configure Django for a script run from the command line (bench settings)."""
    sys.path.insert(0, str(ROOT))
    for name, value in BENCH_ENV.items():
        os.environ.setdefault(name, value)
    import logging
    import warnings

    import django

    django.setup()
    # The scripts print their own figures; INFO logs (axes, celery) would bury them.
    logging.disable(logging.INFO)
    warnings.filterwarnings("ignore", message="No directory at")


@contextlib.contextmanager
def throwaway_database(prefix: str = "volunteer_bench_smoke") -> Iterator[str]:
    """A new, empty PostgreSQL database on DATABASE_URL's server; dropped afterwards.

    Sets DATABASE_URL to it for this process (call before ``setup_django``).
    """
    import dj_database_url
    import psycopg2

    base = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    config = dj_database_url.parse(base)
    name = f"{prefix}_{os.getpid()}"
    admin = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
    }

    def run(statement: str) -> None:
        connection = psycopg2.connect(**admin)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    user = admin["user"] + (f":{admin['password']}" if admin["password"] else "")
    url = f"postgres://{user}@{admin['host']}:{admin['port']}/{name}"
    os.environ["DATABASE_URL"] = url
    try:
        yield url
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate_and_seed(*, quiet: bool = True) -> None:
    """Migrate the (throw-away) database and load the smoke-size province."""
    from django.core.management import call_command

    from demo.bulk import bulk_seed

    call_command("migrate", verbosity=0, interactive=False)
    bulk_seed(seed=SEED, **SMOKE_SIZES)


def reference_team():
    """The seeded province's first team: active, published, 200 members at full size."""
    from demo.bulk import reference_team_slug
    from teams.models import Team

    return Team.objects.get(slug=reference_team_slug(SEED))


def timed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def heading(text: str) -> None:
    print(f"\n== {text} ==", flush=True)


def line(label: str, value: str) -> None:
    print(f"  {label:<46} {value}", flush=True)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
        cursor.execute("SHOW shared_buffers")
        (shared_buffers,) = cursor.fetchone()
    memory = ""
    with contextlib.suppress(OSError):
        for text in Path("/proc/meminfo").read_text().splitlines():
            if text.startswith("MemTotal"):
                memory = f"{int(text.split()[1]) // 1024 // 1024} GB"
    return {
        "cpus": str(os.cpu_count()),
        "memory": memory,
        "postgresql": version,
        "shared_buffers": shared_buffers,
        "load average": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def main_wrapper(
    run: Callable[..., object],
    argv: list[str] | None,
    description: str,
    options: dict[str, str] | None = None,
) -> None:
    """Parse --smoke (and the script's own flags, passed to ``run``), set up Django
    (and a throw-away database in smoke mode), run."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    for flag, help_text in (options or {}).items():
        parser.add_argument(flag, action="store_true", help=help_text)
    args = vars(parser.parse_args(argv))
    smoke = args.pop("smoke")
    if smoke:
        with throwaway_database():
            setup_django()
            migrate_and_seed()
            run(smoke=True, **args)
    else:
        setup_django()
        for key, value in machine().items():
            line(key, value)
        run(smoke=False, **args)
