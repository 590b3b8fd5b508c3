"""Dependencies that fail, for the fault tests.

A Redis or PostgreSQL that is *down* refuses connections at once (a port nobody
listens on); one that is *hung* accepts them and never answers (a socket that
listens and never reads), which only a timeout ends.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

FAULTS = ["down", "hung"]


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never answers; yields the port."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)  # the kernel completes the handshakes; nobody reads
        yield server.getsockname()[1]


@contextmanager
def failing_port(fault: str) -> Iterator[int]:
    if fault == "down":
        yield closed_port()
    else:
        with silent_server() as port:
            yield port


def _forget_connections(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def celery_at(url: str, settings) -> Iterator[None]:
    """Queue tasks through a broker and result store at ``url`` (one failing, here),
    with the timeouts and retries of the settings, as a web process would.

    ``settings`` is pytest-django's fixture: the broker is no longer in-process.
    """
    from volunteer_site.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    changes = {"broker_url": url, "result_backend": url, "task_always_eager": False}
    # Put back afterwards: what was set on the app itself; the rest reads through
    # to the Django settings again.
    earlier = {name: app.conf.changes[name] for name in changes if name in app.conf.changes}
    # Celery reads these variables before its configuration.
    environment = {"CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url}
    with mock.patch.dict(os.environ, environment):
        app.conf.update(changes)
        _forget_connections(app)
        try:
            yield
        finally:
            for name in changes:
                app.conf.changes.pop(name, None)
            app.conf.update(earlier)
            _forget_connections(app)


class Stopwatch:
    """``with Stopwatch("what") as watch:`` … then ``watch.seconds``; printed too."""

    def __init__(self, label: str):
        self.label = label
        self.seconds = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.monotonic() - self._start
        print(f"{self.label}: {self.seconds:.2f} s")
