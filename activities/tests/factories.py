import datetime
import re
from decimal import Decimal

import factory
from django.urls import reverse

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


def activity_form_data(category, members, **overrides) -> dict:
    """What the activity form posts for a one-day activity of 4 hours with ``members`` at
    the default hours, saved as a draft; ``overrides`` replace or add fields."""
    data = {
        "category": category.pk,
        "title": "重阳节走访慰问孤寡老人",
        "start_date": "2018-10-17",
        "end_date": "2018-10-17",
        "hours": "4",
        "place": "桑珠孜区",
        "organiser": "机关党委",
        "content": "为老人打扫卫生、送去慰问品",
        "people_reached": "35",
        "materials_distributed": "200",
        "households_visited": "12",
        "donation_yuan": "0",
        "other_outcomes": "",
        "participant": [str(m.pk) for m in members],
        "save": "",
    }
    data.update(overrides)
    return data


def create_url(personas) -> str:
    """The activity form's address for the personas' team."""
    return reverse("activities:create", args=[personas.team.slug])


def errors_of(page: str) -> str:
    """The text of the activity form's error summary (empty when there is none)."""
    found = re.search(r'id="form-errors".*?</div>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(0)) if found else ""
