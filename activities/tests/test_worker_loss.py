"""A recompute whose worker dies mid-task is run again, by real worker processes.

The workers are ``celery worker`` subprocesses on the test database, consuming a
queue of their own (so no other worker of the session takes the message). The
test holds the team's figures-state row locked, so the recompute blocks right
where it would write; that is how the test knows the task has started, and
keeps it running until the worker is killed.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from activities import tasks
from activities.models import ActivityStatus, TeamFiguresState
from activities.tests.factories import ParticipationFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
# Short, so the test need not wait the production value (300 s) for the broker
# to take the message back.
VISIBILITY_TIMEOUT = 10
WAIT = 60  # seconds for each step


def database_url_of_the_tests() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


class Worker:
    """``celery worker`` in its own process group, on the test database and ``queue``."""

    def __init__(self, name: str, queue: str, log: Path, visibility_timeout: int):
        environment = {
            **os.environ,
            "DATABASE_URL": database_url_of_the_tests(),
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
        }
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our interpreter
                [sys.executable, "-m", "celery", "-A", "volunteer_site", "worker"]
                + ["--pool=prefork", "--concurrency=1", "--queues", queue]
                + ["--hostname", f"{name}@%h", "--without-mingle", "--without-gossip"]
                + ["--loglevel=INFO"],
                cwd=BASE_DIR,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: killed with its pool process
            )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=WAIT)

    def pool_processes(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # its parent
                children.append(int(stat.parent.name))
        return children


def waiting_on_the_figures_state() -> set[int]:
    """Database sessions waiting for a lock held on a figures-state row (by the test)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT waiting.pid FROM pg_locks waiting
            WHERE NOT waiting.granted AND waiting.pid <> pg_backend_pid()
              AND EXISTS (
                SELECT 1 FROM pg_locks used
                WHERE used.pid = waiting.pid
                  AND used.database = (
                    SELECT oid FROM pg_database WHERE datname = current_database()
                  )
                  AND used.relation = %s::regclass
              )
            """,
            [TeamFiguresState._meta.db_table],
        )
        return {pid for (pid,) in cursor.fetchall()}


def wait_for(what: str, condition, workers: list[Worker]):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    logs = "\n".join(f"--- {w.log.name}\n{w.log.read_text()[-3000:]}" for w in workers)
    pytest.fail(f"not within {WAIT} s: {what}\n{logs}")


@pytest.fixture
def stale_team(monkeypatch):
    """A team with an approved activity whose figures were never computed (stale);
    nothing queued for it on the session's queue."""
    with monkeypatch.context() as patch:
        patch.setattr(tasks, "enqueue_team_recompute", lambda team_id: None)
        activity = ParticipationFactory(
            activity__status=ActivityStatus.APPROVED,
            activity__approved_at=datetime.datetime(2018, 5, 11, tzinfo=datetime.UTC),
            activity__start_date=datetime.date(2018, 5, 10),
        ).activity
    state = TeamFiguresState.objects.get(team=activity.team)
    assert state.stale is True
    return activity.team


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []
    queue = f"worker-loss-test-{uuid.uuid4().hex[:8]}"

    def start(name: str, visibility_timeout: int = VISIBILITY_TIMEOUT) -> Worker:
        worker = Worker(name, queue, tmp_path / f"{name}.log", visibility_timeout)
        started.append(worker)
        return worker

    start.queue = queue
    yield start
    for worker in started:
        worker.kill()


def recompute_blocked_then_released(team, first: Worker, queue: str, *, kill) -> float:
    """Queue the team's recompute, let ``first`` start it (it blocks), ``kill``
    (returns the worker expected to run it again), then release it; returns the
    seconds from the kill to the figures being up to date."""
    with transaction.atomic():
        TeamFiguresState.objects.select_for_update().get(team=team)
        tasks.recompute_team_figures.apply_async(args=[team.pk], queue=queue)
        blocked = wait_for("the recompute starts", waiting_on_the_figures_state, [first])
        killed_at = time.monotonic()
        second = kill(first)
        # The recompute runs again: another session waits on the same row.
        wait_for(
            "the recompute runs again",
            lambda: waiting_on_the_figures_state() - blocked,
            [first, second],
        )
    wait_for(
        "the figures are up to date",
        lambda: not TeamFiguresState.objects.get(team=team).stale,
        [first, second],
    )
    return time.monotonic() - killed_at


def test_a_recompute_whose_worker_is_killed_is_run_by_another_worker(stale_team, workers):
    def kill_the_whole_worker(first: Worker) -> Worker:
        first.kill()  # SIGKILL to the main process and its pool: nothing can acknowledge
        return workers("second")

    first = workers("first")
    seconds = recompute_blocked_then_released(
        stale_team, first, workers.queue, kill=kill_the_whole_worker
    )
    print(f"caught up {seconds:.1f} s after the worker was killed")


def test_a_recompute_whose_pool_process_is_killed_is_run_again_at_once(stale_team, workers):
    def kill_the_pool_process(first: Worker) -> Worker:
        (pool_process,) = first.pool_processes()
        os.kill(pool_process, signal.SIGKILL)  # the main process sees it lost and requeues
        return first

    # The production visibility timeout: only the requeue can bring it back in time.
    first = workers("first", visibility_timeout=300)
    seconds = recompute_blocked_then_released(
        stale_team, first, workers.queue, kill=kill_the_pool_process
    )
    print(f"caught up {seconds:.1f} s after the pool process was killed")
