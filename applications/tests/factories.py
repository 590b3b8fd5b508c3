import factory

from applications.models import Application
from members.models import Gender
from teams.tests.factories import TeamFactory


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"申请人{n}")
    gender = Gender.FEMALE
    ethnicity = "藏族"
    work_unit = "日喀则市教育局"
    position = "科员"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    consent_processing = True
