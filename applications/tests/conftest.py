import pytest

from teams.models import Team, TeamCategory
from teams.tests.factories import ServiceCategoryFactory


@pytest.fixture
def team(personas) -> Team:
    """The personas' team, published, offering two services (in this order)."""
    team = personas.team
    Team.objects.filter(pk=team.pk).update(is_published=True)
    team.refresh_from_db()
    for position, name in enumerate(["扶贫帮困", "科教文卫"]):
        TeamCategory.objects.create(
            team=team, category=ServiceCategoryFactory(name=name), position=position
        )
    return team
