import datetime
from decimal import Decimal

import factory

from activities.models import Activity, Participation
from members.tests.factories import MemberFactory
from teams.tests.factories import ServiceCategoryFactory, TeamFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    team = factory.SubFactory(TeamFactory)
    category = factory.SubFactory(ServiceCategoryFactory)
    title = factory.Sequence(lambda n: f"志愿服务活动{n}")
    start_date = datetime.date(2018, 5, 10)
    end_date = factory.SelfAttribute("start_date")
    hours = Decimal("4.0")
    place = "日喀则市"


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    activity = factory.SubFactory(ActivityFactory)
    member = factory.SubFactory(MemberFactory, team=factory.SelfAttribute("..activity.team"))
    hours = factory.SelfAttribute("activity.hours")


def approval_data(activity) -> dict[str, str]:
    """What the detail page's approve button posts: the version of the activity as the
    secretary sees it (services.activity_approve refuses another)."""
    from activities.services import activity_version

    activity.refresh_from_db(fields=["updated_at"])
    return {"version": activity_version(activity)}
