import datetime

import factory

from members.models import CadreRank, Gender, Member
from teams.tests.factories import TeamFactory


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    team = factory.SubFactory(TeamFactory)
    volunteer_number = factory.Sequence(lambda n: f"V{n:08d}")
    name = factory.Sequence(lambda n: f"队员{n}")
    gender = Gender.MALE
    ethnicity = "汉族"
    is_party_member = True
    cadre_rank = CadreRank.GENERAL
    phone = "13812345678"
    registered_on = datetime.date(2016, 3, 1)
