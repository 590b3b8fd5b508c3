"""The monthly reminders: who gets what, once only, and only when someone is behind.

The data is the ``review_year`` fixture (compliance/tests/conftest.py): at the end
of October 2026, 一般丙 is 落后 (3 of 10, 8 due) and 志愿者甲 is 未参加; 县级甲
(已达标) and 科级乙 (进度正常) are fine. 2 November 2026, a Monday, is the first
working day of November.
"""

import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from activities.models import ActivityStatus, Participation, ReminderLog, TeamFiguresState
from activities.stats import team_figures_recompute
from activities.tests.factories import ActivityFactory, ParticipationFactory
from compliance import reminders
from compliance.tasks import send_monthly_reminders
from members.tests.factories import MemberFactory
from teams.models import TeamRole
from teams.tests.factories import TeamRoleFactory

pytestmark = pytest.mark.django_db

D = datetime.date
FIRST_WORKING_DAY = D(2026, 11, 2)


@pytest.fixture
def addresses(personas, review_year, settings):
    settings.SITE_URL = "https://zhiyuan.example.cn"
    personas.secretary.email = "mishu@example.cn"
    personas.secretary.save()
    personas.staff.email = "luru@example.cn"  # staff get no reminders
    personas.staff.save()
    TeamRoleFactory(team=personas.team, role=TeamRole.Role.SECRETARY, user__username="mishu2")
    personas.other_secretary.email = "other@example.cn"
    personas.other_secretary.save()
    return personas


def by_recipient() -> dict[str, mail.EmailMessage]:
    return {message.to[0]: message for message in mail.outbox}


def test_first_working_day_follows_the_official_calendar():
    assert reminders.first_working_day(2026, 11) == D(2026, 11, 2)  # 1 Nov is a Sunday
    assert reminders.first_working_day(2026, 10) == D(2026, 10, 8)  # after National Day
    assert reminders.first_working_day(2026, 1) == D(2026, 1, 4)  # a Sunday made a workday
    assert reminders.first_working_day(2026, 12) == D(2026, 12, 1)


def test_who_gets_what(addresses, review_year):
    result = reminders.reminders_send(today=FIRST_WORKING_DAY)
    assert (result.year, result.month) == (2026, 10)
    sent = by_recipient()
    # The secretary with an address, and the one member behind who has one
    # (志愿者甲 has none; the other secretary has none; the other team: nobody
    # behind, as it has no members).
    assert set(sent) == {"mishu@example.cn", "behind@example.cn"}

    summary = sent["mishu@example.cn"]
    assert "2026年10月" in summary.subject
    assert "2名队员" in summary.subject
    body = summary.body
    assert "本月达标" in body
    assert "50.0%" in body
    assert "10 / 10" in body
    assert "一般丙（R003）本年3次/目标10次，当前应达8次，落后" in body
    assert "志愿者甲" in body and "未参加" in body
    assert "县级甲" not in body and "科级乙" not in body
    assert "https://zhiyuan.example.cn/teams/our-team/reviews/2026/10/" in body

    note = sent["behind@example.cn"]
    assert "2026" in note.subject
    assert "一般丙同志" in note.body
    assert "已参加3次活动" in note.body and "目标是10次" in note.body
    for other in ("志愿者甲", "县级甲", "科级乙", "R001", "R002"):
        assert other not in note.body  # nobody else's data

    logged = set(ReminderLog.objects.values_list("kind", "recipient", "year", "month"))
    assert logged == {
        ("secretary", "mishu@example.cn", 2026, 10),
        ("member", "behind@example.cn", 2026, 10),
    }


def test_sending_twice_sends_nothing_more(addresses):
    first = reminders.reminders_send(today=FIRST_WORKING_DAY)
    again = reminders.reminders_send(today=FIRST_WORKING_DAY, force_day=True)
    assert len(first.sent) == 2
    assert (len(again.sent), len(again.skipped)) == (0, 2)
    assert len(mail.outbox) == 2
    assert ReminderLog.objects.count() == 2


def test_the_task_acts_only_on_the_first_working_day(addresses):
    assert send_monthly_reminders("2026-11-03") == {
        "day": "2026-11-03",
        "month": None,
        "ran": False,
        "sent": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert mail.outbox == []
    done = send_monthly_reminders("2026-11-02")
    assert (done["month"], done["sent"]) == ("2026-10", 2)
    assert send_monthly_reminders("2026-11-02")["skipped"] == 2
    assert len(mail.outbox) == 2


def test_a_team_with_nobody_behind_gets_nothing(personas, settings):
    # The other team: one member who took part every month January–October → 已达标.
    personas.other_secretary.email = "other@example.cn"
    personas.other_secretary.save()
    keen = MemberFactory(
        team=personas.other_team, registered_on=D(2016, 3, 1), email="keen@example.cn"
    )
    for month in range(1, 11):
        activity = ActivityFactory(
            team=personas.other_team,
            start_date=D(2026, month, 9),
            status=ActivityStatus.APPROVED,
            approved_at=timezone.now(),
            hours=Decimal("1"),
        )
        ParticipationFactory(activity=activity, member=keen)
    team_figures_recompute(team_id=personas.other_team.pk)
    # Our team: only the volunteer persona (no address) is behind, and the secretary
    # has an address: one e-mail, to our secretary only.
    personas.secretary.email = "mishu@example.cn"
    personas.secretary.save()
    result = reminders.reminders_send(today=FIRST_WORKING_DAY)
    assert personas.other_team.slug in result.teams_without_anyone_behind
    assert [m.to for m in mail.outbox] == [["mishu@example.cn"]]


def test_a_failed_send_is_not_recorded_and_goes_out_next_time(addresses, monkeypatch):
    original = EmailMessage.send

    def refuse(self, *args, **kwargs):
        if self.to == ["behind@example.cn"]:
            raise ConnectionError("SMTP down")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refuse)
    result = reminders.reminders_send(today=FIRST_WORKING_DAY)
    assert [key[2] for key in result.failed] == ["behind@example.cn"]
    assert not ReminderLog.objects.filter(recipient="behind@example.cn").exists()
    monkeypatch.setattr(EmailMessage, "send", original)
    retry = reminders.reminders_send(today=FIRST_WORKING_DAY, force_day=True)
    assert [key[2] for key in retry.sent] == ["behind@example.cn"]
    assert len(mail.outbox) == 2


def test_members_who_have_left_get_no_note(addresses, review_year):
    review_year.behind.left_on = D(2026, 10, 31)
    review_year.behind.save()
    team_figures_recompute(team_id=review_year.team.pk)
    reminders.reminders_send(today=FIRST_WORKING_DAY)
    # Still listed for the secretary (they were a member in October) but not written to.
    assert set(by_recipient()) == {"mishu@example.cn"}
    assert "一般丙" in by_recipient()["mishu@example.cn"].body


def test_the_command(addresses, capsys):
    call_command("send_reminders", "--date", "2026-11-03")
    assert "nothing sent" in capsys.readouterr().out
    assert mail.outbox == []
    call_command("send_reminders", "--date", "2026-11-03", "--force-day")
    assert "2 sent" in capsys.readouterr().out
    assert len(mail.outbox) == 2


def test_stale_figures_are_recomputed_before_anyone_is_told_they_are_behind(addresses, review_year):
    # Five more October activities for 一般丙, written past the signals (as a bulk
    # import would) and not yet counted: 3 + 5 = 8 = the 8 due → on track.
    for day in range(11, 16):
        activity = ActivityFactory(
            team=review_year.team,
            start_date=D(2026, 10, day),
            status=ActivityStatus.APPROVED,
            approved_at=timezone.now(),
        )
        Participation.objects.bulk_create(
            [Participation(activity=activity, member=review_year.behind, hours=Decimal("4"))]
        )
    TeamFiguresState.objects.filter(team=review_year.team).update(stale=True)
    reminders.reminders_send(today=FIRST_WORKING_DAY)
    assert set(by_recipient()) == {"mishu@example.cn"}  # no note to 一般丙
    assert "一般丙" not in by_recipient()["mishu@example.cn"].body


# --- On the real services -------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(addresses):
    """Two workers on the same morning: the unique log row lets only one send each."""

    def run():
        try:
            return reminders.reminders_send(today=FIRST_WORKING_DAY)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: run(), range(2)))
    assert sorted(len(result.sent) for result in results) in ([0, 2], [1, 1])
    assert sum(len(result.skipped) for result in results) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["behind@example.cn", "mishu@example.cn"]
    assert ReminderLog.objects.count() == 2


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_task_through_a_real_worker_on_redis(addresses, celery_worker):
    result = send_monthly_reminders.delay("2026-11-02").get(timeout=60)
    assert (result["month"], result["sent"]) == ("2026-10", 2)
    again = send_monthly_reminders.delay("2026-11-02").get(timeout=60)
    assert (again["sent"], again["skipped"]) == (0, 2)
    assert ReminderLog.objects.count() == 2
