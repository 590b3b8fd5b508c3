"""applications.services: applying, approving, rejecting, erasing old rejected ones."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.models import Application, ApplicationStatus
from applications.selectors import next_volunteer_number
from applications.services import (
    application_approve,
    application_create,
    application_reject,
    applications_erase_rejected,
    normalise_phone,
)
from applications.tests.factories import ApplicationFactory
from members.models import CadreRank, Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def apply(team, **overrides) -> Application:
    data = {
        "team": team,
        "name": "次仁卓嘎",
        "gender": "female",
        "phone": "13908921234",
        "consent_processing": True,
        **overrides,
    }
    return application_create(**data)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13908921234", "13908921234"),
        ("１３９０８９２１２３４", "13908921234"),  # full-width digits
        ("139 0892 1234", "13908921234"),
        ("139-0892-1234", "13908921234"),
        ("139－0892－1234", "13908921234"),  # full-width hyphen
        ("139—0892\u200b1234", "13908921234"),  # em dash, zero-width space
        ("0892-8821234", "08928821234"),
    ],
)
def test_phones_are_stored_as_their_digits(typed, stored):
    assert normalise_phone(typed) == stored


def test_an_application_keeps_what_was_given(team):
    categories = list(team.regular_categories.all())
    application = apply(
        team,
        name=" 次仁卓嘎\u200b",
        phone="139 0892 1234",
        ethnicity="藏族",
        is_party_member=True,
        party_joined_on=datetime.date(2015, 7, 1),
        work_unit="日喀则市教育局",
        position="科员",
        email="cirenzhuoga@example.com",
        categories=categories[:1],
        hashed_ip="a" * 64,
    )
    application.refresh_from_db()
    assert application.name == "次仁卓嘎"
    assert application.phone == "13908921234"
    assert application.status == ApplicationStatus.PENDING
    assert application.consent_public_name is False
    assert list(application.categories.all()) == categories[:1]
    assert len(application.status_token) == 43


def test_a_second_application_with_the_same_phone_in_full_width_digits_is_refused(team):
    apply(team, phone="13908921234")
    with pytest.raises(ValidationError) as refused:
        apply(team, name="另一个人", phone="１３９ ０８９２ １２３４")
    assert "已在等待" in " ".join(refused.value.message_dict["phone"])
    assert Application.objects.count() == 1


def test_the_same_phone_may_apply_to_another_team(team, personas):
    apply(team)
    apply(personas.other_team)
    assert Application.objects.count() == 2


def test_a_current_members_phone_is_refused_and_a_former_members_is_not(team):
    MemberFactory(team=team, phone="0892-8821234")
    with pytest.raises(ValidationError) as refused:
        apply(team, phone="08928821234")
    assert "已有队员" in " ".join(refused.value.message_dict["phone"])
    MemberFactory(
        team=team,
        phone="13900000001",
        registered_on=datetime.date(2016, 3, 1),
        left_on=datetime.date(2017, 1, 1),
    )
    apply(team, phone="13900000001")
    assert Application.objects.count() == 1


def test_without_consent_nothing_is_saved(team):
    with pytest.raises(ValidationError) as refused:
        apply(team, consent_processing=False)
    assert "consent_processing" in refused.value.message_dict
    assert not Application.objects.exists()


def test_a_category_the_team_does_not_offer_is_refused(team, personas):
    from teams.tests.factories import ServiceCategoryFactory

    with pytest.raises(ValidationError) as refused:
        other = ServiceCategoryFactory(name="别队的类别", team=personas.other_team)
        apply(team, categories=[other])
    assert "categories" in refused.value.message_dict


def test_the_database_holds_one_pending_application_per_phone(team):
    ApplicationFactory(team=team, phone="13908921234")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(team=team, phone="13908921234")
    # Once decided, the phone may apply again.
    Application.objects.update(
        status=ApplicationStatus.REJECTED, reject_reason="重复", decided_at=timezone.now()
    )
    ApplicationFactory(team=team, phone="13908921234")


def test_the_database_wants_a_reason_for_a_rejection(team):
    application = ApplicationFactory(team=team)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(
            status=ApplicationStatus.REJECTED, decided_at=timezone.now()
        )


# --- Approving ----------------------------------------------------------------------------------


def test_approving_creates_exactly_one_member_with_the_given_details(team, personas):
    categories = list(team.regular_categories.all())
    application = apply(
        team,
        name="次仁卓嘎",
        gender="female",
        ethnicity="藏族",
        is_party_member=True,
        party_joined_on=datetime.date(2015, 7, 1),
        work_unit="日喀则市教育局",
        position="科员",
        phone="13908921234",
        email="cirenzhuoga@example.com",
        consent_public_name=True,
        categories=categories,
    )
    before = Member.objects.count()
    approval = application_approve(
        application=application,
        volunteer_number="Ｖ２０２６００１",
        registered_on=datetime.date(2026, 11, 30),
        cadre_rank=CadreRank.SECTION,
        by=personas.secretary,
    )
    assert Member.objects.count() == before + 1
    member = Member.objects.get(pk=approval.member.pk)
    assert (
        member.team,
        member.volunteer_number,
        member.name,
        member.gender,
        member.ethnicity,
        member.is_party_member,
        member.party_joined_on,
        member.cadre_rank,
        member.work_unit,
        member.position,
        member.phone,
        member.email,
        member.registered_on,
        member.consents_to_public_name,
        member.left_on,
    ) == (
        team,
        "V2026001",
        "次仁卓嘎",
        "female",
        "藏族",
        True,
        datetime.date(2015, 7, 1),
        "section",
        "日喀则市教育局",
        "科员",
        "13908921234",
        "cirenzhuoga@example.com",
        datetime.date(2026, 11, 30),
        True,
        None,
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.member == member
    assert application.decided_by == personas.secretary
    assert application.decided_at is not None
    # A login for the e-mail, linked to the member.
    assert approval.user is not None
    assert member.user == approval.user


def test_without_an_email_no_login_is_made(team, personas):
    approval = application_approve(
        application=apply(team),
        volunteer_number="V2026002",
        registered_on=datetime.date(2026, 11, 30),
        by=personas.secretary,
    )
    assert approval.user is None
    assert Member.objects.get(pk=approval.member.pk).user is None


def test_a_taken_volunteer_number_refuses_the_approval_and_changes_nothing(team, personas):
    MemberFactory(team=personas.other_team, volunteer_number="V2026003")
    application = apply(team)
    before = Member.objects.count()
    with pytest.raises(ValidationError) as refused:
        application_approve(
            application=application,
            volunteer_number="V2026003",
            registered_on=datetime.date(2026, 11, 30),
            by=personas.secretary,
        )
    assert "V2026003" in str(refused.value)
    assert Member.objects.count() == before
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_a_decided_application_cannot_be_decided_again(team, personas):
    application = apply(team)
    application_reject(application=application, reason="名额已满", by=personas.secretary)
    with pytest.raises(ValidationError, match="已处理"):
        application_approve(
            application=application,
            volunteer_number="V2026004",
            registered_on=datetime.date(2026, 11, 30),
            by=personas.secretary,
        )
    assert not Member.objects.filter(volunteer_number="V2026004").exists()


def test_approval_is_refused_when_the_phone_became_a_members_meanwhile(team, personas):
    application = apply(team, phone="13908921234")
    MemberFactory(team=team, phone="13908921234")
    with pytest.raises(ValidationError, match="13908921234"):
        application_approve(
            application=application,
            volunteer_number="V2026005",
            registered_on=datetime.date(2026, 11, 30),
            by=personas.secretary,
        )


# --- Rejecting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_rejecting_without_a_reason_is_refused(team, personas, reason):
    application = apply(team)
    with pytest.raises(ValidationError) as refused:
        application_reject(application=application, reason=reason, by=personas.secretary)
    assert "reason" in refused.value.message_dict
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_rejecting_keeps_the_reason_and_who_decided(team, personas):
    application = application_reject(
        application=apply(team), reason=" 本队暂不招收新队员。 ", by=personas.secretary
    )
    application.refresh_from_db()
    assert (application.status, application.reject_reason, application.decided_by) == (
        ApplicationStatus.REJECTED,
        "本队暂不招收新队员。",
        personas.secretary,
    )


# --- Retention ----------------------------------------------------------------------------------


def decided(team, status, *, days_ago: int, **fields) -> Application:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    application = ApplicationFactory(
        team=team,
        status=status,
        decided_at=when,
        reject_reason="不符合条件" if status == ApplicationStatus.REJECTED else "",
        email="someone@example.com",
        ip_hash="b" * 64,
        **fields,
    )
    application.categories.set(team.regular_categories.all())
    return application


def test_retention_erases_only_rejected_applications_older_than_180_days(team):
    old_rejected = decided(team, ApplicationStatus.REJECTED, days_ago=181)
    young_rejected = decided(team, ApplicationStatus.REJECTED, days_ago=179)
    old_approved = decided(team, ApplicationStatus.APPROVED, days_ago=400)
    old_pending = ApplicationFactory(team=team)
    Application.objects.filter(pk=old_pending.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )

    assert applications_erase_rejected() == 1

    erased = Application.objects.get(pk=old_rejected.pk)
    assert (erased.name, erased.phone, erased.email, erased.work_unit, erased.position) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert (erased.gender, erased.ethnicity, erased.reject_reason) == ("", "", "")
    assert erased.ip_hash == ""
    assert list(erased.categories.all()) == []
    # What stays: the team, status, dates and the status link.
    assert erased.status == ApplicationStatus.REJECTED
    assert erased.decided_at == old_rejected.decided_at
    assert erased.created_at == old_rejected.created_at
    assert erased.status_token == old_rejected.status_token
    assert erased.erased_at is not None
    for kept in (young_rejected, old_approved, old_pending):
        row = Application.objects.get(pk=kept.pk)
        assert row.name == kept.name and row.phone == kept.phone and row.erased_at is None
    assert Application.objects.get(pk=young_rejected.pk).categories.count() == 2


def test_retention_run_twice_changes_nothing_the_second_time(team):
    decided(team, ApplicationStatus.REJECTED, days_ago=200)
    assert applications_erase_rejected() == 1
    first = list(Application.objects.values())
    assert applications_erase_rejected() == 0
    assert list(Application.objects.values()) == first


def test_the_retention_task_erases_through_the_service(team):
    from applications.tasks import erase_rejected_applications

    decided(team, ApplicationStatus.REJECTED, days_ago=365)
    assert erase_rejected_applications() == 1
    assert erase_rejected_applications() == 0


def test_the_retention_task_is_in_the_beat_schedule():
    from volunteer_site.celery import BEAT_SCHEDULE

    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert "applications.erase_rejected_applications" in tasks


# --- The suggested volunteer number ------------------------------------------------------------


def test_the_suggested_number_follows_the_teams_highest(team, personas):
    for number in ("540201180009", "540201180121", "540201180010"):
        MemberFactory(team=team, volunteer_number=number)
    # Taken in another team: skipped.
    MemberFactory(team=personas.other_team, volunteer_number="540201180122")
    assert next_volunteer_number(team) == "540201180123"


def test_no_number_is_suggested_for_numbers_without_digits(personas):
    Member.objects.filter(team=personas.team).update(volunteer_number="甲")
    assert next_volunteer_number(personas.team) == ""
