"""The activity workflow's services: state machine, participant sync, lateness."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from activities import services
from activities.models import ActivityStatus, Participation
from activities.services import ParticipantInput, WorkflowError
from activities.tests.factories import ActivityFactory, ParticipationFactory
from activities.workdays import is_logged_late, working_days_between
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def submitted(user):
    participation = ParticipationFactory()
    return services.activity_submit(
        activity=participation.activity, by=user, now=at(datetime.date(2018, 5, 11))
    )


# --- Working days ------------------------------------------------------------------------


def test_working_days_skip_the_2018_national_day_holiday_and_count_adjusted_weekend_days():
    # 2018: 1-7 Oct were holidays; Sat 29 and Sun 30 Sep were working days (调休).
    ended = datetime.date(2018, 9, 28)
    assert working_days_between(ended, datetime.date(2018, 9, 30)) == 2
    assert working_days_between(ended, datetime.date(2018, 10, 7)) == 2
    assert working_days_between(ended, datetime.date(2018, 10, 17)) == 10
    assert not is_logged_late(ended_on=ended, submitted_on=datetime.date(2018, 10, 17))
    assert is_logged_late(ended_on=ended, submitted_on=datetime.date(2018, 10, 18))


def test_working_days_in_an_ordinary_fortnight():
    ended = datetime.date(2026, 11, 2)  # a Monday
    assert working_days_between(ended, datetime.date(2026, 11, 16)) == 10
    assert not is_logged_late(ended_on=ended, submitted_on=datetime.date(2026, 11, 16))
    assert is_logged_late(ended_on=ended, submitted_on=datetime.date(2026, 11, 17))


def test_working_days_fall_back_to_weekdays_beyond_the_published_calendar():
    # 2031 is not published yet: Monday to Friday.
    assert working_days_between(datetime.date(2031, 1, 3), datetime.date(2031, 1, 10)) == 5


def test_working_days_zero_when_submitted_on_the_day():
    day = datetime.date(2026, 11, 2)
    assert working_days_between(day, day) == 0


# --- Submit -------------------------------------------------------------------------------


def test_submit_marks_in_time_activities_not_late(user):
    participation = ParticipationFactory(activity__start_date=datetime.date(2018, 9, 28))
    activity = services.activity_submit(
        activity=participation.activity, by=user, now=at(datetime.date(2018, 10, 17))
    )
    assert activity.status == ActivityStatus.SUBMITTED
    assert activity.is_late is False
    assert activity.submitted_at == at(datetime.date(2018, 10, 17))


def test_submit_marks_late_activities(user):
    participation = ParticipationFactory(activity__start_date=datetime.date(2018, 9, 28))
    activity = services.activity_submit(
        activity=participation.activity, by=user, now=at(datetime.date(2018, 10, 18))
    )
    assert activity.is_late is True


def test_lateness_counts_from_the_end_of_a_multi_day_activity(user):
    participation = ParticipationFactory(
        activity__start_date=datetime.date(2018, 1, 12),
        activity__end_date=datetime.date(2018, 1, 14),
        activity__hours=Decimal("12"),
    )
    # 14 Jan 2018 was a Sunday: 10 working days later is Fri 26 Jan.
    activity = services.activity_submit(
        activity=participation.activity, by=user, now=at(datetime.date(2018, 1, 26))
    )
    assert activity.is_late is False


def test_submit_refuses_a_future_activity(user):
    participation = ParticipationFactory(activity__start_date=datetime.date(2030, 1, 1))
    with pytest.raises(WorkflowError, match="2030-01-01"):
        services.activity_submit(
            activity=participation.activity, by=user, now=at(datetime.date(2029, 12, 31))
        )
    participation.activity.refresh_from_db()
    assert participation.activity.status == ActivityStatus.DRAFT


def test_submit_refuses_no_participants(user):
    activity = ActivityFactory()
    with pytest.raises(WorkflowError) as error:
        services.activity_submit(activity=activity, by=user, now=at(datetime.date(2018, 6, 1)))
    assert "提交前请至少选择一名参与队员。" in error.value.messages


@pytest.mark.parametrize(
    ("registered", "left", "problem"),
    [
        (datetime.date(2018, 5, 10), None, None),  # registered on the start date
        (datetime.date(2018, 5, 11), None, "甲 于 2018-05-11 注册，晚于活动开始日期 2018-05-10。"),
        (datetime.date(2016, 1, 1), datetime.date(2018, 5, 10), None),  # left on it: last day
        (
            datetime.date(2016, 1, 1),
            datetime.date(2018, 5, 9),
            "甲 已于 2018-05-09 离队，早于活动开始日期 2018-05-10。",
        ),
    ],
)
def test_a_participant_must_be_registered_on_the_start_date(registered, left, problem):
    member = MemberFactory.build(name="甲", registered_on=registered, left_on=left)
    # Only the start date matters: a member registered during a trip did not start it.
    assert member.registration_problem(datetime.date(2018, 5, 10)) == problem


# --- Approve, return, reopen --------------------------------------------------------------


def test_approve_records_who_and_when(submitted, user):
    activity = services.activity_approve(
        activity=submitted, by=user, now=at(datetime.date(2018, 6, 1))
    )
    assert activity.status == ActivityStatus.APPROVED
    assert activity.approved_by == user
    assert activity.approved_at == at(datetime.date(2018, 6, 1))


def test_return_needs_a_reason_and_keeps_it(submitted, user):
    with pytest.raises(WorkflowError):
        services.activity_return(activity=submitted, by=user, reason="   ")
    activity = services.activity_return(activity=submitted, by=user, reason="时长填写有误")
    assert activity.status == ActivityStatus.RETURNED
    assert activity.return_reason == "时长填写有误"
    assert activity.history.first().history_change_reason == "时长填写有误"


def test_returned_activity_can_be_resubmitted_then_approved(submitted, user):
    returned = services.activity_return(activity=submitted, by=user, reason="补充成效")
    again = services.activity_submit(activity=returned, by=user, now=at(datetime.date(2018, 5, 12)))
    approved = services.activity_approve(activity=again, by=user)
    assert approved.status == ActivityStatus.APPROVED
    assert approved.return_reason == ""


def test_reopen_takes_an_approved_activity_out_of_the_figures(submitted, user):
    approved = services.activity_approve(activity=submitted, by=user)
    reopened = services.activity_reopen(activity=approved, by=user, reason="参与人员有误")
    assert reopened.status == ActivityStatus.RETURNED
    assert reopened.approved_at is None
    assert reopened.approved_by is None
    assert reopened.return_reason == "参与人员有误"


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (ActivityStatus.DRAFT, "approve"),
        (ActivityStatus.DRAFT, "return"),
        (ActivityStatus.DRAFT, "reopen"),
        (ActivityStatus.SUBMITTED, "submit"),
        (ActivityStatus.SUBMITTED, "reopen"),
        (ActivityStatus.APPROVED, "submit"),
        (ActivityStatus.APPROVED, "approve"),
        (ActivityStatus.APPROVED, "return"),
        (ActivityStatus.RETURNED, "approve"),
        (ActivityStatus.RETURNED, "return"),
        (ActivityStatus.RETURNED, "reopen"),
    ],
)
def test_illegal_moves_are_refused(user, status, move):
    extra = (
        {"approved_at": at(datetime.date(2018, 6, 1))} if status == ActivityStatus.APPROVED else {}
    )
    participation = ParticipationFactory(
        activity__status=status, **{f"activity__{k}": v for k, v in extra.items()}
    )
    activity = participation.activity
    call = {
        "submit": lambda: services.activity_submit(activity=activity, by=user),
        "approve": lambda: services.activity_approve(activity=activity, by=user),
        "return": lambda: services.activity_return(activity=activity, by=user, reason="x"),
        "reopen": lambda: services.activity_reopen(activity=activity, by=user, reason="x"),
    }[move]
    with pytest.raises(WorkflowError):
        call()
    activity.refresh_from_db()
    assert activity.status == status


def test_approving_many_is_all_or_nothing(user):
    first = services.activity_submit(
        activity=ParticipationFactory().activity, by=user, now=at(datetime.date(2018, 6, 1))
    )
    draft = ParticipationFactory(activity__team=first.team).activity
    with pytest.raises(WorkflowError):
        services.activities_approve(activities=[first, draft], by=user)
    first.refresh_from_db()
    assert first.status == ActivityStatus.SUBMITTED


# --- Saving with participants -------------------------------------------------------------


def fields(team, **overrides):
    values = {
        "category": ServiceCategoryFactory(),
        "title": "走访慰问困难群众",
        "start_date": datetime.date(2018, 3, 5),
        "end_date": datetime.date(2018, 3, 5),
        "hours": Decimal("4.0"),
        "place": "桑珠孜区",
        "organiser": "机关党委",
        "content": "",
        "people_reached": 30,
        "materials_distributed": 100,
        "households_visited": 12,
        "donation_yuan": Decimal("0"),
        "other_outcomes": "",
    }
    values.update(overrides)
    return values


def test_save_creates_the_activity_and_its_participants(user):
    team = TeamFactory()
    members = MemberFactory.create_batch(3, team=team)
    activity = services.activity_save(
        team=team,
        by=user,
        fields=fields(team),
        participants=[
            ParticipantInput(member=members[0], hours=Decimal("4.0")),
            ParticipantInput(member=members[1], hours=Decimal("2.5"), role="organiser"),
        ],
    )
    assert activity.status == ActivityStatus.DRAFT
    assert activity.created_by == user
    rows = dict(activity.participations.values_list("member_id", "hours"))
    assert rows == {members[0].pk: Decimal("4.0"), members[1].pk: Decimal("2.5")}
    assert Participation.history.filter(activity_id=activity.pk, history_user=user).count() == 2


def test_save_syncs_participants_and_lowers_hours_safely(user):
    team = TeamFactory()
    a, b, c = MemberFactory.create_batch(3, team=team)
    activity = services.activity_save(
        team=team,
        by=user,
        fields=fields(team, hours=Decimal("6.0")),
        participants=[
            ParticipantInput(member=a, hours=Decimal("6.0")),
            ParticipantInput(member=b, hours=Decimal("5.0")),
        ],
    )
    # Lower the activity to 3 hours, drop b, add c: the database never sees
    # a participant above the activity's hours.
    services.activity_save(
        team=team,
        by=user,
        activity=activity,
        fields=fields(team, hours=Decimal("3.0")),
        participants=[
            ParticipantInput(member=a, hours=Decimal("3.0")),
            ParticipantInput(member=c, hours=Decimal("3.0")),
        ],
    )
    activity.refresh_from_db()
    assert activity.hours == Decimal("3.0")
    assert dict(activity.participations.values_list("member_id", "hours")) == {
        a.pk: Decimal("3.0"),
        c.pk: Decimal("3.0"),
    }


def test_save_and_submit_together(user):
    team = TeamFactory()
    member = MemberFactory(team=team)
    activity = services.activity_save(
        team=team,
        by=user,
        fields=fields(team),
        participants=[ParticipantInput(member=member, hours=Decimal("4.0"))],
        submit=True,
        now=at(datetime.date(2018, 3, 6)),
    )
    assert activity.status == ActivityStatus.SUBMITTED


def test_failed_submit_saves_nothing(user):
    team = TeamFactory()
    with pytest.raises(WorkflowError):
        services.activity_save(
            team=team, by=user, fields=fields(team), participants=[], submit=True
        )
    assert not team.activities.exists()


def test_approved_activity_cannot_be_saved(submitted, user):
    approved = services.activity_approve(activity=submitted, by=user)
    with pytest.raises(WorkflowError):
        services.activity_save(
            team=approved.team,
            by=user,
            activity=approved,
            fields={"title": "改名"},
            participants=[],
        )
    approved.refresh_from_db()
    assert approved.title != "改名"


@pytest.mark.parametrize(
    "hours", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("1e30")]
)
@pytest.mark.parametrize("where", ["activity", "participant"])
def test_save_refuses_hours_that_are_not_finite_or_too_big(user, hours, where):
    """Callers other than the form (imports, scripts) get a message, not a database error."""
    team = TeamFactory()
    member = MemberFactory(team=team)
    activity_hours = hours if where == "activity" else Decimal("4.0")
    participant_hours = hours if where == "participant" else Decimal("4.0")
    with pytest.raises(WorkflowError, match="小时数"):
        services.activity_save(
            team=team,
            by=user,
            fields=fields(team, hours=activity_hours),
            participants=[ParticipantInput(member=member, hours=participant_hours)],
        )
    assert not team.activities.exists()
