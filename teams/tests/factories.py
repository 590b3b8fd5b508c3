import datetime

import factory
from django.contrib.auth import get_user_model

from teams.models import Region, RegionAdmin, ServiceCategory, Team, TeamRole


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-42")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"地区{n}")
    parent = None


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory
        django_get_or_create = ["name", "team"]

    name = factory.Sequence(lambda n: f"类别{n}")
    team = None


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"测试党员志愿服务队{n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    region = factory.SubFactory(RegionFactory)
    host_unit = "测试单位"
    founded_on = datetime.date(2016, 3, 1)


class TeamRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamRole

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = TeamRole.Role.STAFF


class RegionAdminFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionAdmin

    user = factory.SubFactory(UserFactory)
    region = factory.SubFactory(RegionFactory)
