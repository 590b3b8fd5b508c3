"""``manage.py recompute_stats``: which teams it recomputes, in-process, and what it prints."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activities import tasks
from activities.models import PeriodKind, TeamFigures, TeamFiguresState
from activities.stats import team_figures_recompute
from members.tests.factories import MemberFactory
from teams.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("recompute_stats", *args, stdout=out)
    return out.getvalue()


def recomputed(output: str) -> list[str]:
    """The team names the command reported as computed, in order."""
    return re.findall(r"^(.+): computed in \d+ ms$", output, flags=re.MULTILINE)


@pytest.fixture
def no_celery(monkeypatch):
    """The command must not go through Celery: any attempt to queue fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("recompute_stats queued a Celery task")

    monkeypatch.setattr(tasks.recompute_team_figures, "delay", refuse)
    monkeypatch.setattr(tasks.recompute_team_figures, "apply_async", refuse)
    monkeypatch.setattr(tasks.recompute_team_figures, "apply", refuse)


@pytest.fixture
def teams():
    """One team of each kind: fresh, stale, never computed, computed two days ago."""
    fresh = TeamFactory(name="新鲜服务队", slug="fresh")
    MemberFactory(team=fresh)
    team_figures_recompute(team_id=fresh.pk)
    stale = TeamFactory(name="过期服务队", slug="stale")
    team_figures_recompute(team_id=stale.pk)
    MemberFactory(team=stale)  # a change: marks the team stale
    never = TeamFactory(name="未计算服务队", slug="never")
    old = TeamFactory(name="陈旧服务队", slug="old")
    team_figures_recompute(team_id=old.pk)
    TeamFiguresState.objects.filter(team=old).update(
        computed_at=timezone.now() - datetime.timedelta(days=2)
    )
    return {"fresh": fresh, "stale": stale, "never": never, "old": old}


def test_without_options_only_the_teams_that_need_it(teams, no_celery):
    assert TeamFiguresState.objects.get(team=teams["stale"]).stale
    output = run()
    assert recomputed(output) == ["过期服务队", "未计算服务队", "陈旧服务队"]
    assert "Recomputed 3 team(s) in" in output
    assert "已重新计算 3 个服务队" in output
    for key in ("stale", "never", "old"):
        state = TeamFiguresState.objects.get(team=teams[key])
        assert not state.stale
        assert state.computed_at > timezone.now() - datetime.timedelta(minutes=1)
    # The stale team's new member is now counted.
    assert (
        TeamFigures.objects.get(team=teams["stale"], kind=PeriodKind.ALL).registered_volunteers == 1
    )
    # Nothing left to do: a second run recomputes nothing.
    assert recomputed(run()) == []


def test_all_recomputes_every_team(teams, no_celery):
    before = TeamFiguresState.objects.get(team=teams["fresh"]).computed_at
    output = run("--all")
    assert recomputed(output) == ["新鲜服务队", "过期服务队", "未计算服务队", "陈旧服务队"]
    assert TeamFiguresState.objects.get(team=teams["fresh"]).computed_at > before


def test_one_team_by_its_slug(teams, no_celery):
    before = TeamFiguresState.objects.get(team=teams["fresh"]).computed_at
    output = run("--team", "fresh")
    assert recomputed(output) == ["新鲜服务队"]
    assert "Recomputed 1 team(s)" in output
    assert TeamFiguresState.objects.get(team=teams["fresh"]).computed_at > before
    assert TeamFiguresState.objects.get(team=teams["stale"]).stale  # left alone


def test_an_unknown_slug_is_an_error_in_both_languages(teams):
    with pytest.raises(CommandError) as error:
        run("--team", "no-such-team")
    message = str(error.value)
    assert "没有网址名称为“no-such-team”的服务队" in message
    assert "No team has the address name “no-such-team”" in message


def test_team_and_all_cannot_be_combined(teams):
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("--team", "fresh", "--all")


def test_nothing_to_do_is_said_plainly(no_celery):
    team = TeamFactory()
    team_figures_recompute(team_id=team.pk)
    assert run() == "没有需要重新计算的服务队。 No team needs recomputing.\n"


def test_every_row_puts_back_rows_emptied_by_hand(teams, no_celery):
    """The digests cannot know about a hand edit; --every-row compares every row."""
    from django.db import connection

    for key in ("fresh", "stale", "never", "old"):
        team_figures_recompute(team_id=teams[key].pk)
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        from activities.stats_bulk import figures_recompute_all

        figures_recompute_all()  # the digests of the rows as they are
    expected = TeamFigures.objects.get(team=teams["fresh"], kind=PeriodKind.ALL)
    edited = TeamFigures.objects.filter(team=teams["fresh"], kind=PeriodKind.ALL)
    edited.update(registered_volunteers=99)
    if postgresql:
        figures_recompute_all()  # the nightly run trusts the digests: the edit stays
        assert edited.get().registered_volunteers == 99
    output = run("--every-row")
    if postgresql:
        # By hand: one row differs (the edited one); nothing else is written.
        assert "every row compared: 1 row(s) written, 0 deleted" in output
        assert "逐行核对；写入 1 行，删除 0 行" in output
    else:
        assert recomputed(output) == ["新鲜服务队", "过期服务队", "未计算服务队", "陈旧服务队"]
    assert edited.get().registered_volunteers == expected.registered_volunteers == 1


def test_every_row_cannot_be_combined_with_one_team(teams):
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("--team", "fresh", "--every-row")
