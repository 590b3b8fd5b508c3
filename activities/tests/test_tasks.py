"""When and how figures are recomputed: after commit, coalesced, safe when Redis is down."""

import datetime
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.test import Client, TestCase
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerDown

from activities import services, stats, tasks
from activities.models import ActivityStatus, TeamFigures, TeamFiguresState
from activities.stats import TEAM_FIGURE_FIELDS
from activities.tests.factories import ParticipationFactory, approval_data
from teams.models import Team
from teams.tests.factories import TeamFactory, UserFactory
from volunteer_site.tests.faults import FAULTS, Stopwatch, celery_at, failing_port


def submitted_activity(**kwargs):
    """Made as if in an earlier, committed request: its own on-commit work runs now."""
    values = {
        "activity__status": ActivityStatus.SUBMITTED,
        "activity__start_date": datetime.date(2018, 5, 10),
        "activity__hours": Decimal("4.0"),
        **kwargs,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        participation = ParticipationFactory(**values)
    return participation.activity


FIELDS = ["kind", "year", "month", *TEAM_FIGURE_FIELDS]


def year_row(team, year=2018):
    return TeamFigures.objects.filter(team=team, kind="year", year=year).first()


@pytest.fixture
def queued(monkeypatch, settings):
    """Pretend a broker is configured; record what would be sent to it."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(
        tasks.recompute_team_figures,
        "apply_async",
        lambda args, countdown=None, **kw: sent.append((args[0], countdown)),
    )
    return sent


def forget_setup(queued) -> None:
    """Drop what creating the test data queued, as if its window had closed."""
    queued.clear()
    cache.clear()


@pytest.mark.django_db
def test_approval_recomputes_the_figures_in_the_embedded_default(
    settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    activity = submitted_activity()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_approve(activity=activity, by=UserFactory())
    row = year_row(activity.team)
    assert (row.activities, row.activity_hours, row.participant_times) == (1, Decimal("4.0"), 1)
    assert TeamFiguresState.objects.get(team=activity.team).stale is False


@pytest.mark.django_db
def test_nothing_is_queued_when_the_transaction_rolls_back(
    queued, django_capture_on_commit_callbacks
):
    activity = submitted_activity()
    forget_setup(queued)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.activity_approve(activity=activity, by=UserFactory())
                raise RuntimeError("the request failed after approving")
        except RuntimeError:
            pass
    assert callbacks == []
    assert queued == []
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED


@pytest.mark.django_db
def test_queued_only_after_commit(queued, django_capture_on_commit_callbacks):
    activity = submitted_activity()
    forget_setup(queued)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.activity_approve(activity=activity, by=UserFactory())
        assert queued == []  # not before the commit
    for callback in callbacks:
        callback()
    assert queued == [(activity.team_id, tasks.COALESCE_SECONDS + 1)]


@pytest.mark.django_db
def test_many_changes_in_one_transaction_queue_one_recompute(
    queued, django_capture_on_commit_callbacks, monkeypatch
):
    first = submitted_activity()
    others = [
        submitted_activity(activity__team=first.team, member__team=first.team) for _ in range(4)
    ]
    forget_setup(queued)
    noted = []
    original = stats.team_figures_note_committed
    monkeypatch.setattr(
        stats,
        "team_figures_note_committed",
        lambda *, team_id: (noted.append(team_id), original(team_id=team_id)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.activities_approve(activities=[first, *others], by=UserFactory())
    # Five approvals, one commit: the team is noted and queued once.
    assert noted == [first.team_id]
    assert queued == [(first.team_id, tasks.COALESCE_SECONDS + 1)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_its_team_for_the_next_commit(queued):
    """A transaction rolled back runs no callback; the team's next change, committed,
    still queues its recompute."""
    from django.db import transaction

    activity = submitted_activity()
    forget_setup(queued)
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.figures_changed(team_id=activity.team_id)
        raise RuntimeError("rolled back")
    assert queued == []
    with transaction.atomic():
        tasks.figures_changed(team_id=activity.team_id)
    assert queued == [(activity.team_id, tasks.COALESCE_SECONDS + 1)]


@pytest.mark.django_db
def test_changes_in_quick_succession_share_one_task(queued, django_capture_on_commit_callbacks):
    first = submitted_activity()
    second = submitted_activity(activity__team=first.team, member__team=first.team)
    forget_setup(queued)
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_approve(activity=first, by=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_approve(activity=second, by=UserFactory())
    assert queued == [(first.team_id, tasks.COALESCE_SECONDS + 1)]


@pytest.mark.django_db
def test_a_duplicate_task_skips_when_a_later_run_covered_the_change():
    activity = submitted_activity(
        activity__status=ActivityStatus.APPROVED,
        activity__approved_at=datetime.datetime(2018, 5, 11, tzinfo=datetime.UTC),
    )
    stats.team_figures_mark_stale(team_id=activity.team_id)
    assert tasks.recompute_team_figures(activity.team_id) is True
    assert tasks.recompute_team_figures(activity.team_id) is False


@pytest.mark.django_db
def test_running_the_recompute_twice_gives_the_same_rows():
    activity = submitted_activity(
        activity__status=ActivityStatus.APPROVED,
        activity__approved_at=datetime.datetime(2018, 5, 11, tzinfo=datetime.UTC),
    )

    def snapshot():
        return sorted(
            TeamFigures.objects.filter(team=activity.team).values_list(
                "kind",
                "year",
                "month",
                "activities",
                "activity_hours",
                "participant_times",
                "person_hours",
                "registered_volunteers",
            )
        )

    stats.team_figures_recompute(team_id=activity.team_id)
    first = snapshot()
    stats.team_figures_recompute(team_id=activity.team_id)
    assert snapshot() == first
    assert len(first) == len(set(first))


@pytest.mark.django_db
def test_approval_succeeds_when_redis_is_down_and_reconcile_catches_up(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.recompute_team_figures, "apply_async", broker_down)
    activity = submitted_activity()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_approve(activity=activity, by=UserFactory())
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED  # the approval itself stands
    assert TeamFiguresState.objects.get(team=activity.team).stale is True
    assert year_row(activity.team) is None

    # Redis is back; the nightly reconcile finds the stale team.
    monkeypatch.undo()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert activity.team_id in stats.teams_needing_recompute()
    assert tasks.reconcile_team_figures() >= 1
    assert year_row(activity.team).activities == 1
    state = TeamFiguresState.objects.get(team=activity.team)
    assert state.stale is False
    assert state.computed_at is not None


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.django_db(transaction=True)  # the approval commits and queues, as in production
def test_an_approval_is_not_held_up_by_a_broker_that_is_down_or_hung(fault, personas, settings):
    activity = submitted_activity(activity__team=personas.team, member__team=personas.team)
    secretary = Client()
    secretary.force_login(personas.secretary)
    url = reverse("activities:approve", args=[personas.team.slug, activity.pk])
    cache.clear()  # what the set-up queued is not coalescing the approval's recompute
    with (
        failing_port(fault) as port,
        celery_at(f"redis://127.0.0.1:{port}/0", settings),
        Stopwatch(f"approval, broker {fault}") as watch,
    ):
        response = secretary.post(url, approval_data(activity))
    assert response.status_code == 302
    assert watch.seconds < 5  # Celery's own retries took 19 s (down) or forever (hung)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.APPROVED
    assert TeamFiguresState.objects.get(team=activity.team).stale is True


@pytest.mark.django_db
def test_reconcile_picks_stale_missing_and_day_old_teams():
    fresh = submitted_activity().team
    stats.team_figures_recompute(team_id=fresh.pk)
    old = submitted_activity().team
    stats.team_figures_recompute(team_id=old.pk)
    TeamFiguresState.objects.filter(team=old).update(
        computed_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    never = TeamFactory()  # no figures computed yet
    assert set(stats.teams_needing_recompute()) & {fresh.pk, old.pk, never.pk} == {old.pk, never.pk}


def test_a_transient_database_error_is_retried_with_backoff(monkeypatch):
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return True

    monkeypatch.setattr(stats, "team_figures_recompute", flaky)
    result = tasks.recompute_team_figures.apply(args=[1], throw=False)
    assert result.get() is True
    assert len(calls) == 2
    task = tasks.recompute_team_figures
    assert task.retry_backoff is True
    assert task.max_retries == 6


def test_a_programming_error_is_not_retried(monkeypatch):
    def bug(**kwargs):
        raise ValueError("a bug, not a hiccup")

    monkeypatch.setattr(stats, "team_figures_recompute", bug)
    result = tasks.recompute_team_figures.apply(args=[1], throw=False)
    assert result.state == "FAILURE"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_end_to_end_through_a_real_worker_on_redis(celery_worker):
    activity = submitted_activity()
    services.activity_approve(activity=activity, by=UserFactory())  # autocommit: queued now
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = year_row(activity.team)
        if row is not None and row.activities == 1:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not recompute the figures within 30 s")
    assert row.participant_times == 1
    assert TeamFiguresState.objects.get(team=activity.team).stale is False


@pytest.mark.django_db
def test_an_older_run_never_overwrites_a_newer_one(monkeypatch):
    activity = submitted_activity()
    team_id = activity.team_id
    stats.team_figures_recompute(team_id=team_id)  # the newer run, already written
    newer = TeamFiguresState.objects.get(team_id=team_id).computed_at
    written = set(TeamFigures.objects.filter(team_id=team_id).values_list(*FIELDS))
    # What the older run sees differs from what the newer one wrote.
    type(activity).objects.filter(pk=activity.pk).update(
        status=ActivityStatus.APPROVED, approved_at=newer
    )
    with monkeypatch.context() as patch:
        # An older run: it read its clock (and the data) before the newer one wrote.
        patch.setattr(stats.timezone, "now", lambda: newer - datetime.timedelta(seconds=5))
        assert stats.team_figures_recompute(team_id=team_id) is False
    assert TeamFiguresState.objects.get(team_id=team_id).computed_at == newer
    assert set(TeamFigures.objects.filter(team_id=team_id).values_list(*FIELDS)) == written


# --- The nightly reconcile ------------------------------------------------------------------


def approved_team():
    return submitted_activity(
        activity__status=ActivityStatus.APPROVED,
        activity__approved_at=datetime.datetime(2018, 5, 11, tzinfo=datetime.UTC),
    ).team


@pytest.fixture
def delayed(monkeypatch):
    """What the reconcile queues, one team per call."""
    sent = []
    monkeypatch.setattr(tasks.recompute_team_figures, "delay", lambda team_id: sent.append(team_id))
    return sent


@pytest.mark.services
@pytest.mark.django_db
def test_the_reconcile_on_postgresql_recomputes_every_team_at_once_and_queues_none(delayed):
    fresh = approved_team()
    stats.team_figures_recompute(team_id=fresh.pk)
    fresh_before = TeamFiguresState.objects.get(team=fresh).computed_at
    changed = approved_team()  # its recompute was never queued: no figures, no state
    never = TeamFactory()
    assert tasks.reconcile_team_figures() == Team.objects.count()
    assert delayed == []
    assert year_row(changed).activities == 1
    states = {s.team_id: s for s in TeamFiguresState.objects.all()}
    for team in [fresh, changed, never]:
        assert not states[team.pk].stale
    assert states[fresh.pk].computed_at > fresh_before  # every team: the calendar moves too


def test_the_reconcile_elsewhere_queues_only_the_teams_that_need_it(delayed, monkeypatch, db):
    fresh = approved_team()
    stats.team_figures_recompute(team_id=fresh.pk)
    changed = approved_team()
    # A change whose recompute could not be queued (in the embedded default it ran).
    TeamFiguresState.objects.update_or_create(team=changed, defaults={"stale": True})
    monkeypatch.setattr(tasks, "connection", SimpleNamespace(vendor="sqlite"))
    count = tasks.reconcile_team_figures()
    assert changed.pk in delayed and fresh.pk not in delayed
    assert count == len(delayed)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_reconcile_through_a_real_worker(celery_worker):
    team = approved_team()
    result = tasks.reconcile_team_figures.delay()
    assert result.get(timeout=60) == Team.objects.count()
    assert year_row(team).activities == 1
    assert TeamFiguresState.objects.get(team=team).stale is False
    task = tasks.reconcile_team_figures
    assert task.soft_time_limit == tasks.RECONCILE_SOFT_TIME_LIMIT > 120  # not one team's limit
