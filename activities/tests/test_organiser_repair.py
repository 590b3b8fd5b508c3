"""The data migration that repairs organising units overwritten by a tick box's member id.

The form's 组织者 tick boxes used to post as ``organiser`` like the 组织单位 text box,
so ticking one stored a member id ("1", "48") as the unit. The migration's
function runs here directly on rows crafted the way the bug left them.
"""

import importlib
import logging

import pytest
from django.apps import apps

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ParticipationFactory
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("activities.migrations.0008_repair_organiser_units")


def repair():
    migration.repair_organiser_units(apps, None)


def activity_with_units(*units: str, participants: int = 2) -> tuple[Activity, list]:
    """An activity whose unit was saved as each of ``units`` in turn ("{0}" is the
    first participant's member id, "{1}" the second's)."""
    activity = ActivityFactory(organiser="")
    people = [ParticipationFactory(activity=activity).member for _ in range(participants)]
    for unit in units:
        activity.organiser = unit.format(*(str(member.pk) for member in people))
        activity.save()
    return activity, people


def unit_of(activity) -> str:
    return Activity.objects.values_list("organiser", flat=True).get(pk=activity.pk)


def test_restores_the_last_unit_typed_before_the_id(caplog):
    activity, people = activity_with_units("甲单位", "乙单位", "{1}", "{0}")
    with caplog.at_level(logging.WARNING):
        repair()
    assert unit_of(activity) == "乙单位"
    [record] = [r for r in caplog.records if str(activity.pk) in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert f"'{people[0].pk}'" in record.getMessage()
    assert "'乙单位'" in record.getMessage()


def test_blank_when_the_history_has_no_unit_typed(caplog):
    activity, people = activity_with_units("{1}")
    with caplog.at_level(logging.WARNING):
        repair()
    assert unit_of(activity) == ""
    assert any(
        str(activity.pk) in r.getMessage() and f"'{people[1].pk}'" in r.getMessage()
        for r in caplog.records
    )


def test_leaves_units_that_are_not_a_participants_id(caplog):
    typed, _ = activity_with_units("机关党委")
    outsider = MemberFactory()
    not_on_it, _ = activity_with_units(str(outsider.pk))
    spaced, spaced_people = activity_with_units("{0} ")
    unusual_number, people = activity_with_units("甲单位")
    # A bare number that is no participant's member id may be a real unit's code.
    unusual = str(max(p.pk for p in people) + 1000)
    unusual_number.organiser = unusual
    unusual_number.save()
    with caplog.at_level(logging.WARNING):
        repair()
    assert unit_of(typed) == "机关党委"
    assert unit_of(not_on_it) == str(outsider.pk)
    assert unit_of(unusual_number) == unusual
    assert unit_of(spaced) == f"{spaced_people[0].pk} "  # not a bare number
    assert not [r for r in caplog.records if r.name.startswith("activities")]


def test_running_twice_changes_nothing_more(caplog):
    activity, _ = activity_with_units("甲单位", "{0}")
    repair()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        repair()
    assert unit_of(activity) == "甲单位"
    assert not [r for r in caplog.records if r.name.startswith("activities")]
