"""Star levels: the rule at its boundaries, where thresholds come from, the notices."""

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from activities import services as activity_services
from activities import stats
from activities.models import Activity, ActivityStatus
from activities.tests.factories import ParticipationFactory
from members.tests.factories import MemberFactory
from stars.levels import level_for, thresholds_for_team
from stars.models import DEFAULT_THRESHOLDS, MemberStar, StarNotification, StarThresholds
from stars.services import thresholds_set
from teams.models import TeamRole
from teams.tests.factories import RegionFactory, TeamFactory, TeamRoleFactory, UserFactory


def served_unnoticed(member, hours: str, start=datetime.date(2018, 5, 1)):
    """An approved five-day activity of ``hours`` with ``member`` for all of them, written
    with no on-commit work: no recompute runs until the test asks for one."""
    return ParticipationFactory(
        member=member,
        activity__team=member.team,
        activity__status=ActivityStatus.APPROVED,
        activity__approved_at=timezone.now(),
        activity__start_date=start,
        activity__end_date=start + datetime.timedelta(days=4),
        activity__hours=Decimal(hours),
        hours=Decimal(hours),
    )


def serve(member, hours: str, start=datetime.date(2018, 5, 1)):
    """The same, approved as the app does: its recompute runs on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return served_unnoticed(member, hours, start)


def recompute(team):
    with TestCase.captureOnCommitCallbacks(execute=True):
        stats.team_figures_recompute(team_id=team.pk)


@pytest.fixture
def member(db):
    region = RegionFactory(name="日喀则市", parent=RegionFactory(name="西藏自治区"))
    team = TeamFactory(region=region)
    member = MemberFactory(team=team, registered_on=datetime.date(2016, 3, 1), email="v@example.cn")
    recompute(team)  # as registering does: the member's level (none yet) is computed
    return member


def level_after(member, *hours: str) -> MemberStar:
    for number, value in enumerate(hours):
        serve(member, value, start=datetime.date(2018 + number // 12, 1 + number % 12, 1))
    recompute(member.team)
    return MemberStar.objects.get(member=member)


@pytest.mark.parametrize(
    ("hours", "level", "to_next"),
    [
        (["99.5"], 0, Decimal("0.5")),
        (["100"], 1, Decimal("200")),
        (["100", "99.5", "100"], 1, Decimal("0.5")),  # 299.5
        (["100", "100", "100"], 2, Decimal("300")),  # 300
    ],
)
@pytest.mark.django_db
def test_levels_at_the_default_boundaries(member, hours, level, to_next):
    star = level_after(member, *hours)
    assert star.level == level
    assert star.hours_to_next == to_next


@pytest.mark.django_db
def test_five_stars_has_no_next_level(member):
    star = level_after(member, *["100"] * 15)
    assert (star.hours, star.level, star.next_at) == (Decimal("1500"), 5, None)


@pytest.mark.django_db
def test_a_regions_own_thresholds(member):
    StarThresholds.objects.create(
        region=member.team.region, level_1=50, level_2=99.5, level_3=200, level_4=400, level_5=800
    )
    star = level_after(member, "99.5")
    assert (star.level, star.hours_to_next) == (2, Decimal("100.5"))


@pytest.mark.django_db
def test_an_ancestors_thresholds_are_inherited_and_the_nearest_wins(member):
    province = member.team.region.parent
    StarThresholds.objects.create(
        region=province, level_1=99, level_2=120, level_3=200, level_4=400, level_5=800
    )
    assert thresholds_for_team(member.team)[0] == Decimal("99")
    assert level_after(member, "99.5").level == 1
    # The team's own region now has its own: it wins over the province's.
    other = TeamFactory(region=RegionFactory(name="拉萨市", parent=province))
    assert thresholds_for_team(other)[0] == Decimal("99")
    StarThresholds.objects.create(
        region=member.team.region,
        level_1=100,
        level_2=300,
        level_3=600,
        level_4=1000,
        level_5=1500,
    )
    assert thresholds_for_team(member.team)[0] == Decimal("100")
    assert thresholds_for_team(other)[0] == Decimal("99")


def test_the_rule_without_a_database():
    assert [
        level_for(Decimal(h), DEFAULT_THRESHOLDS)
        for h in ("0", "99.9", "100", "1499.9", "1500", "99999")
    ] == [0, 0, 1, 4, 5, 5]


@pytest.mark.django_db
def test_changing_thresholds_recomputes_the_levels(member, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the task body, here (a worker: below)
    assert level_after(member, "99.5").level == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        thresholds_set(
            region=member.team.region.parent,
            values=tuple(Decimal(v) for v in ("90", "200", "300", "400", "500")),
            user=UserFactory(),
        )
    assert MemberStar.objects.get(member=member).level == 1


@pytest.mark.django_db
def test_recomputing_twice_changes_nothing_and_notifies_once(member):
    secretary = TeamRoleFactory(
        team=member.team, role=TeamRole.Role.SECRETARY, user__email="s@example.cn"
    ).user
    assert level_after(member, "100").level == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["s@example.cn", "v@example.cn"]
    assert "一星" in mail.outbox[0].subject
    recompute(member.team)
    recompute(member.team)
    assert len(mail.outbox) == 2
    assert list(StarNotification.objects.values_list("level", "pending")) == [(1, False)]
    assert secretary.email == "s@example.cn"


@pytest.mark.django_db
def test_hours_that_dip_and_come_back_notify_once(member):
    participation = serve(member, "100")
    recompute(member.team)
    assert len(mail.outbox) == 1  # the volunteer; the team has no secretary with an address
    activity = participation.activity
    with TestCase.captureOnCommitCallbacks(execute=True):
        activity_services.activity_reopen(activity=activity, by=UserFactory(), reason="核对")
    recompute(member.team)
    assert MemberStar.objects.get(member=member).level == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        Activity.objects.filter(pk=activity.pk).update(
            status=ActivityStatus.APPROVED, approved_at=timezone.now()
        )
    stats.team_figures_mark_stale(team_id=member.team_id)
    recompute(member.team)
    assert MemberStar.objects.get(member=member).level == 1
    assert len(mail.outbox) == 1
    assert StarNotification.objects.count() == 1


@pytest.mark.django_db
def test_a_jump_of_two_levels_notifies_the_level_reached(member):
    for month in (1, 2, 3):  # one recompute for all three (no on-commit work here)
        served_unnoticed(member, "100", datetime.date(2018, month, 1))
    recompute(member.team)
    assert list(StarNotification.objects.values_list("level", flat=True)) == [2]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_mail_outage_never_fails_the_job_and_the_next_run_sends(member, monkeypatch):
    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", down)
        assert level_after(member, "100").level == 1
    assert StarNotification.objects.get().pending is True
    recompute(member.team)
    assert [m.to for m in mail.outbox] == [["v@example.cn"]]
    assert StarNotification.objects.get().pending is False


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_new_thresholds_through_a_real_worker(celery_worker, member):
    serve(member, "99.5")
    recompute(member.team)
    assert MemberStar.objects.get(member=member).level == 0
    thresholds_set(  # autocommit: queued now
        region=member.team.region,
        values=tuple(Decimal(v) for v in ("90", "200", "300", "400", "500")),
        user=UserFactory(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if MemberStar.objects.get(member=member).level == 1:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not recompute the levels within 30 s")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_level_through_a_real_worker(celery_worker):
    region = RegionFactory(name="日喀则市")
    member = MemberFactory(team=TeamFactory(region=region), registered_on=datetime.date(2016, 3, 1))
    participation = ParticipationFactory(
        member=member,
        activity__team=member.team,
        activity__status=ActivityStatus.SUBMITTED,
        activity__start_date=datetime.date(2018, 5, 1),
        activity__end_date=datetime.date(2018, 5, 5),
        activity__hours=Decimal("100"),
        hours=Decimal("100"),
    )
    activity_services.activity_approve(activity=participation.activity, by=UserFactory())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        star = MemberStar.objects.filter(member=member).first()
        if star is not None and star.level == 1:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not store the level within 30 s")
    assert StarNotification.objects.filter(member=member, level=1).count() == 1


@pytest.mark.django_db
@pytest.mark.services
def test_the_set_based_recompute_of_every_team_writes_the_levels_too(member):
    from activities.stats_bulk import figures_recompute_all

    served_unnoticed(member, "100")  # no on-commit work: only the set-based run sees it
    assert MemberStar.objects.get(member=member).level == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        figures_recompute_all()
    assert MemberStar.objects.get(member=member).level == 1
    assert [m.to for m in mail.outbox] == [["v@example.cn"]]


@pytest.mark.django_db
def test_the_first_run_without_mail_records_old_levels_as_notified(member):
    from django.core.management import call_command

    served_unnoticed(member, "100")  # served before the levels existed: no on-commit work
    stats.team_figures_recompute(team_id=member.team_id)  # no commit: nothing mailed
    MemberStar.objects.all().delete()
    StarNotification.objects.all().delete()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("recompute_stars", "--without-mail", stdout=io.StringIO())
    assert MemberStar.objects.get(member=member).level == 1
    assert list(StarNotification.objects.values_list("level", "pending")) == [(1, False)]
    recompute(member.team)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_level_found_at_a_members_first_computation_is_recorded_not_announced(db):
    """Levels introduced on a live site, or a year of history imported for a new member:
    the level was not reached today, so nobody is mailed; later levels are announced."""
    region = RegionFactory(name="日喀则市")
    member = MemberFactory(
        team=TeamFactory(region=region),
        registered_on=datetime.date(2016, 3, 1),
        email="v@example.cn",
    )
    for month in (1, 2, 3):  # imported history: one recompute sees all of it
        served_unnoticed(member, "100", datetime.date(2017, month, 1))
    recompute(member.team)
    assert MemberStar.objects.get(member=member).level == 2
    assert mail.outbox == []
    assert list(StarNotification.objects.values_list("level", "pending")) == [(2, False)]
    assert level_after(member, "100", "100", "100").level == 3  # 600 h
    assert [m.to for m in mail.outbox] == [["v@example.cn"]]
    assert "三星" in mail.outbox[0].subject
