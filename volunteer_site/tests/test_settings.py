"""Start-up settings: bad values stop the process with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from volunteer_site import env

BASE_DIR = Path(__file__).resolve().parents[2]


def clean_environment() -> dict[str, str]:
    """The test process's environment without any of the site's own variables."""
    return {
        "DJANGO_SETTINGS_MODULE": "volunteer_site.settings",
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL"))
        },
    }


def start_django(**overrides: str) -> subprocess.CompletedProcess:
    environment = {**clean_environment(), **overrides}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_embedded_default_starts_with_debug_on():
    result = start_django(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_without_a_broker_tasks_run_in_process():
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup();"
            "from django.conf import settings; from volunteer_site.tasks import ping;"
            "print(settings.CELERY_TASK_ALWAYS_EAGER, ping.delay().get(timeout=1))",
        ],
        cwd=BASE_DIR,
        env={**clean_environment(), "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip() == "True pong", check.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("DATABASE_URL", "not a url at all"),
        ("CELERY_BROKER_URL", "amqp://guest@localhost//"),
        ("CACHE_URL", "memcached://localhost"),
        ("DJANGO_CONN_MAX_AGE", "sixty"),
        ("DJANGO_HSTS_SECONDS", "-5"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = start_django(**{"DJANGO_DEBUG": "true", variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_secret_key_required_when_debug_is_off():
    result = start_django(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr.splitlines()[-1]


def test_production_settings_start_with_a_secret_key():
    result = start_django(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)]
)
def test_env_bool_accepts_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env.env_bool("SOME_FLAG", not expected) is expected


def test_env_bool_default_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert env.env_bool("SOME_FLAG", True) is True
    monkeypatch.setenv("SOME_FLAG", "  ")
    assert env.env_bool("SOME_FLAG", False) is False


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,,")
    assert env.env_list("HOSTS", []) == ["a.example", "b.example"]


def test_database_url_postgres_gets_persistent_checked_connections(monkeypatch):
    monkeypatch.setenv("DB", "postgres://u@db.example:5432/volunteer")
    config = env.env_database("DB", "sqlite:///x.sqlite3", conn_max_age=60)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "volunteer"
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_database_url_sqlite_keeps_no_persistent_connection(monkeypatch):
    monkeypatch.delenv("DB", raising=False)
    config = env.env_database("DB", "sqlite:////tmp/x.sqlite3", conn_max_age=60)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["CONN_MAX_AGE"] == 0


def test_env_int_minimum(monkeypatch):
    monkeypatch.setenv("N", "3")
    assert env.env_int("N", 0, minimum=1) == 3
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="N=0 must be at least 1"):
        env.env_int("N", 5, minimum=1)


def test_site_speaks_chinese_first(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
