"""The public form, the thanks and status pages, and the secretary's queue."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationStatus
from applications.services import APPLY_LIMIT
from applications.tests.factories import ApplicationFactory
from conftest import client_for, text_of
from members.models import Member
from members.tests.factories import MemberFactory
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def apply_url(team) -> str:
    return reverse("applications:apply", kwargs={"slug": team.slug})


def queue_url(team) -> str:
    return reverse("applications:queue", kwargs={"slug": team.slug})


def payload(team, **overrides) -> dict:
    categories = [str(pk) for pk in team.regular_categories.values_list("pk", flat=True)]
    return {
        "name": "次仁卓嘎",
        "gender": "female",
        "ethnicity": "藏族",
        "is_party_member": "on",
        "party_joined_on": "2015-07-01",
        "work_unit": "日喀则市教育局",
        "position": "科员",
        "phone": "139 0892 1234",
        "email": "cirenzhuoga@example.com",
        "categories": categories[:1],
        "consent_processing": "on",
        "website": "",
        **overrides,
    }


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The public form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    [None, "staff", "secretary", "other_secretary", "volunteer", "region_admin", "no_role"],
)
def test_the_form_of_a_published_team_is_open_to_everyone(team, personas, persona):
    user = getattr(personas, persona) if persona else None
    response = client_for(user).get(apply_url(team))
    assert response.status_code == 200
    assert "申请加入" in text_of(response)


def test_the_form_of_an_unpublished_team_is_not_found_even_for_its_secretary(personas):
    for user in (None, personas.secretary):
        assert client_for(user).get(apply_url(personas.team)).status_code == 404


def test_the_published_profile_links_to_the_form(team):
    response = client_for().get(reverse("profiles:profile", kwargs={"slug": team.slug}))
    html = response.content.decode()
    assert f'href="{apply_url(team)}"' in html
    assert "申请加入" in text_of(response)


def test_the_preview_of_an_unpublished_profile_does_not_link_to_the_form(personas):
    response = client_for(personas.secretary).get(
        reverse("profiles:profile", kwargs={"slug": personas.team.slug})
    )
    assert response.status_code == 200
    assert apply_url(personas.team) not in response.content.decode()


def test_the_form_shows_both_consents_and_the_public_name_is_off_by_default(team):
    response = client_for().get(apply_url(team))
    text = text_of(response)
    for words in ("收集哪些信息", "用于什么", "谁能看到", "保存多久", "180 天后删除", "如何撤回"):
        assert words in text
    html = response.content.decode()
    public = re.search(r'<input[^>]*name="consent_public_name"[^>]*>', html).group(0)
    assert "checked" not in public
    processing = re.search(r'<input[^>]*name="consent_processing"[^>]*>', html).group(0)
    assert "checked" not in processing
    # Only the team's own services are offered, in the team's order.
    assert text.index("扶贫帮困") < text.index("科教文卫")


def test_an_application_is_saved_and_the_thanks_page_gives_its_status_link(team):
    client = client_for()
    response = client.post(apply_url(team), payload(team))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:thanks", kwargs={"slug": team.slug})
    application = Application.objects.get()
    assert (application.name, application.phone, application.status) == (
        "次仁卓嘎",
        "13908921234",
        ApplicationStatus.PENDING,
    )
    assert application.ip_hash and "127.0.0.1" not in application.ip_hash
    assert len(application.ip_hash) == 64
    thanks = client.get(response["Location"])
    status_url = reverse("applications:status", kwargs={"token": application.status_token})
    assert status_url in thanks.content.decode()
    assert "感谢您的申请" in text_of(thanks)
    # Another visitor's thanks page shows no link.
    other = client_for().get(response["Location"])
    assert status_url not in other.content.decode()


def test_the_status_page_says_where_the_application_is_and_nothing_personal(team, personas):
    application = ApplicationFactory(team=team, name="次仁卓嘎", phone="13908921234")
    url = reverse("applications:status", kwargs={"token": application.status_token})
    response = client_for().get(url)
    text = text_of(response)
    assert "待审核" in text and team.name in text
    assert "次仁卓嘎" not in text and "13908921234" not in text
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.REJECTED,
        reject_reason="本队暂不招收新队员。",
        decided_at=timezone.now(),
    )
    text = text_of(client_for().get(url))
    assert "未通过" in text and "本队暂不招收新队员。" in text


def test_an_unknown_status_link_is_not_found():
    response = client_for().get(reverse("applications:status", kwargs={"token": "x" * 43}))
    assert response.status_code == 404


def test_the_honeypot_saves_nothing_and_looks_like_success(team):
    response = client_for().post(apply_url(team), payload(team, website="http://spam.example"))
    assert response.status_code == 302
    assert not Application.objects.exists()


def test_a_duplicate_in_full_width_digits_is_refused_in_chinese_and_nothing_is_saved(team):
    client_for().post(apply_url(team), payload(team))
    response = client_for().post(
        apply_url(team), payload(team, name="另一人", phone="１３９－０８９２－１２３４")
    )
    assert response.status_code == 200
    assert "已在等待服务队秘书审核" in " ".join(response.context["form"].errors["phone"])
    assert Application.objects.count() == 1
    # What was typed is kept.
    assert "另一人" in response.content.decode()


def test_a_current_member_applying_again_is_told_and_nothing_is_saved(team):
    MemberFactory(team=team, phone="13908921234")
    response = client_for().post(apply_url(team), payload(team))
    assert "本队已有队员使用该电话号码注册" in " ".join(response.context["form"].errors["phone"])
    assert not Application.objects.exists()


def test_without_the_processing_consent_nothing_is_saved(team):
    data = payload(team)
    del data["consent_processing"]
    response = client_for().post(apply_url(team), data)
    assert response.status_code == 200
    assert "请勾选同意处理个人信息" in " ".join(
        response.context["form"].errors["consent_processing"]
    )
    assert "申请未提交" in text_of(response)
    assert not Application.objects.exists()


def test_a_party_date_without_party_membership_is_refused(team):
    data = payload(team)
    del data["is_party_member"]
    response = client_for().post(apply_url(team), data)
    assert "只有党员" in " ".join(response.context["form"].errors["party_joined_on"])
    assert not Application.objects.exists()


def test_one_address_may_send_five_applications_an_hour(team):
    client = client_for()
    for n in range(APPLY_LIMIT):
        response = client.post(apply_url(team), payload(team, phone=f"1390000000{n}"))
        assert response.status_code == 302
    response = client.post(apply_url(team), payload(team, name="第六位", phone="13900000009"))
    assert response.status_code == 429
    assert "一小时" in text_of(response)
    assert "第六位" in response.content.decode()  # what was typed is kept
    assert Application.objects.count() == APPLY_LIMIT
    # An hour later the address may apply again.
    Application.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1, seconds=1))
    assert client.post(apply_url(team), payload(team, phone="13900000009")).status_code == 302


# --- The secretary's queue ----------------------------------------------------------------------


def test_the_team_home_shows_the_secretary_the_pending_count_as_a_link(team, personas):
    ApplicationFactory.create_batch(2, team=team)
    ApplicationFactory(
        team=team,
        status=ApplicationStatus.REJECTED,
        reject_reason="重复",
        decided_at=timezone.now(),
    )
    ApplicationFactory(team=personas.other_team)
    home = reverse("dashboard:team", kwargs={"slug": team.slug})
    html = client_for(personas.secretary).get(home).content.decode()
    link = re.search(r'<a[^>]*id="applications-link"[^>]*>.*?</a>', html, re.S).group(0)
    assert f'href="{queue_url(team)}"' in link
    assert re.search(r">\s*2\s*</span>", link)
    assert 'id="applications-link"' not in client_for(personas.staff).get(home).content.decode()


def test_the_queue_lists_pending_first_with_their_details(team, personas):
    decided = ApplicationFactory(
        team=team,
        name="已处理者",
        status=ApplicationStatus.REJECTED,
        reject_reason="重复",
        decided_at=timezone.now(),
    )
    first = ApplicationFactory(
        team=team, name="先申请者", work_unit="市教育局", phone="13911112222"
    )
    second = ApplicationFactory(team=team, name="后申请者")
    Application.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    ApplicationFactory(team=personas.other_team, name="别队申请者")
    response = client_for(personas.secretary).get(queue_url(team))
    text = text_of(response)
    assert text.index("先申请者") < text.index("后申请者") < text.index("已处理者")
    assert "别队申请者" not in text
    assert "市教育局" in text and "13911112222" in text
    assert "待审核：2 份" in text
    assert [card["application"].pk for card in response.context["cards"]] == [
        first.pk,
        second.pk,
        decided.pk,
    ]


def test_the_queue_suggests_the_next_volunteer_number(team, personas):
    MemberFactory(team=team, volunteer_number="540201180121")
    ApplicationFactory(team=team)
    response = client_for(personas.secretary).get(queue_url(team))
    assert 'value="540201180122"' in response.content.decode()


def approve(client, team, application, **data):
    url = reverse("applications:approve", kwargs={"slug": team.slug, "pk": application.pk})
    prefix = f"a{application.pk}-"
    fields = {
        "volunteer_number": "V2026001",
        "registered_on": "2026-11-30",
        "cadre_rank": "general",
    }
    fields.update(data)
    return client.post(url, {prefix + key: value for key, value in fields.items()})


def reject(client, team, application, reason):
    url = reverse("applications:reject", kwargs={"slug": team.slug, "pk": application.pk})
    return client.post(url, {f"r{application.pk}-reason": reason})


def test_approving_adds_the_member_invites_them_and_is_audited(team, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    application = ApplicationFactory(
        team=team, name="次仁卓嘎", email="cirenzhuoga@example.com", work_unit="市教育局"
    )
    response = approve(client_for(personas.secretary), team, application)
    assert response.status_code == 302
    member = Member.objects.get(volunteer_number="V2026001")
    assert (member.team, member.name, member.work_unit) == (team, "次仁卓嘎", "市教育局")
    assert member.user is not None and member.user.username == "V2026001"
    assert [m.to for m in mail.outbox] == [["cirenzhuoga@example.com"]]
    messages = " ".join(told(response))
    assert "已加入花名册" in messages and "邀请邮件已发送" in messages
    entry = AuditEntry.objects.get(action=AuditAction.APPLICATION_APPROVE)
    assert entry.user == personas.secretary
    assert entry.detail["member"] == member.pk
    assert "次仁卓嘎" not in entry.target
    login = AuditEntry.objects.get(action=AuditAction.LOGIN_CREATE)
    assert (login.detail["mail_sent"], login.detail["application"]) == (True, application.pk)
    # The roster shows the new member.
    roster = client_for(personas.secretary).get(reverse("members:list", kwargs={"slug": team.slug}))
    assert "次仁卓嘎" in text_of(roster)


def test_a_mail_outage_does_not_refuse_the_approval(team, personas, settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", down)
    application = ApplicationFactory(team=team, email="someone@example.com")
    response = approve(client_for(personas.secretary), team, application)
    assert response.status_code == 302
    assert Member.objects.filter(volunteer_number="V2026001").exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert "邀请邮件未能发送" in " ".join(told(response))


def test_an_approval_with_a_taken_number_comes_back_with_the_typed_values(team, personas):
    MemberFactory(team=personas.other_team, volunteer_number="V2026001")
    application = ApplicationFactory(team=team)
    before = Member.objects.count()
    response = approve(
        client_for(personas.secretary), team, application, registered_on="2026-11-29"
    )
    assert response.status_code == 200
    assert "V2026001" in " ".join(response.context["form"].errors["volunteer_number"])
    assert 'value="2026-11-29"' in response.content.decode()
    assert Member.objects.count() == before
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_a_decided_application_is_not_approved_twice(team, personas):
    application = ApplicationFactory(team=team)
    client = client_for(personas.secretary)
    approve(client, team, application)
    response = approve(client, team, application, volunteer_number="V2026002")
    assert response.status_code == 302
    assert "该申请已处理" in " ".join(told(response))
    assert not Member.objects.filter(volunteer_number="V2026002").exists()


def test_another_teams_application_is_not_found(team, personas):
    application = ApplicationFactory(team=personas.other_team)
    response = approve(client_for(personas.secretary), team, application)
    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.PENDING


def test_rejecting_without_a_reason_is_refused_in_chinese(team, personas):
    application = ApplicationFactory(team=team)
    response = reject(client_for(personas.secretary), team, application, "  ")
    assert response.status_code == 200
    assert "请填写不通过的理由" in " ".join(response.context["form"].errors["reason"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_rejecting_tells_the_applicant_the_reason(team, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    application = ApplicationFactory(team=team, name="次仁卓嘎", email="cirenzhuoga@example.com")
    response = reject(client_for(personas.secretary), team, application, "本队暂不招收新队员。")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cirenzhuoga@example.com"]
    assert "本队暂不招收新队员。" in message.body
    assert application.status_token in message.body
    assert AuditEntry.objects.filter(action=AuditAction.APPLICATION_REJECT).count() == 1
    status = client_for().get(
        reverse("applications:status", kwargs={"token": application.status_token})
    )
    assert "本队暂不招收新队员。" in text_of(status)


def test_a_mail_outage_does_not_refuse_the_rejection(team, personas, settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def down(*args, **kwargs):
        raise TimeoutError("mail server slow")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", down)
    application = ApplicationFactory(team=team, email="someone@example.com")
    response = reject(client_for(personas.secretary), team, application, "重复申请")
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.REJECTED
    assert "通知申请人的邮件未能发送" in " ".join(told(response))


def test_the_queue_costs_the_same_queries_for_3_and_30_applications(team, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count):
        Application.objects.all().delete()
        for _ in range(count):
            ApplicationFactory(team=team).categories.set(team.regular_categories.all())
        client = client_for(personas.secretary)
        client.get(queue_url(team))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(queue_url(team)).status_code == 200
        return len(captured)

    assert queries(3) == queries(30)


def test_a_phone_typed_with_many_separators_is_taken(team):
    typed = "1 3 9 - 0 8 9 2 - 1 2 3 4"  # 25 characters, more than the 20 stored
    response = client_for().post(apply_url(team), payload(team, phone=typed))
    assert response.status_code == 302
    assert Application.objects.get().phone == "13908921234"
