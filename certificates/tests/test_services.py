import datetime
from decimal import Decimal
from unittest import mock

import pytest

from activities.models import Participation
from certificates import services
from certificates.models import CODE_ALPHABET, Certificate, CertificateStatus
from certificates.tests.conftest import PERIOD
from certificates.tests.factories import issued_certificate
from members.tests.factories import MemberFactory
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def on_day(day: datetime.date):
    return mock.patch("certificates.services.timezone.localdate", return_value=day)


def test_figures_count_only_approved_service_in_the_period(service):
    start, end = PERIOD
    count, hours, rows = services.certificate_figures(member=service, start=start, end=end)
    assert count == 2
    assert hours == Decimal("11.5")
    assert rows == [
        {
            "date": "2026-03-05",
            "end": "2026-03-05",
            "title": "入户走访慰问",
            "category": "扶贫帮困",
            "hours": "4.0",
        },
        {
            "date": "2026-05-10",
            "end": "2026-05-12",
            "title": "下乡义诊",
            "category": "科教文卫",
            "hours": "7.5",
        },
    ]


def test_an_issued_certificate_keeps_its_figures_when_the_record_changes(service, personas):
    personas.team.lead_name = "扎西"
    personas.team.save()
    with on_day(datetime.date(2026, 7, 2)):
        certificate = issued_certificate(
            service, start=PERIOD[0], end=PERIOD[1], user=personas.secretary, contact="0892-1234567"
        )
    Participation.objects.filter(member=service).update(hours=Decimal("1.0"))
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert (certificate.activity_count, certificate.total_hours) == (2, Decimal("11.5"))
    assert [row["hours"] for row in certificate.activities] == ["4.0", "7.5"]
    assert certificate.issued_on == datetime.date(2026, 7, 2)
    assert certificate.member_name == "志愿者甲"
    assert certificate.team_name == "我们的志愿服务队"
    assert certificate.person_in_charge == "扎西"
    assert certificate.handler == "secretary"
    assert certificate.contact == "0892-1234567"
    assert len(certificate.code) == 10 and set(certificate.code) <= set(CODE_ALPHABET)
    entry = AuditEntry.objects.get(action=AuditAction.CERTIFICATE_ISSUE)
    assert entry.target == certificate.number


def test_numbers_are_sequential_per_team_and_restart_each_year(personas):
    member = personas.volunteer_member
    other = MemberFactory(team=personas.other_team)
    with on_day(datetime.date(2026, 12, 31)):
        first = issued_certificate(member)
        second = issued_certificate(member)
        elsewhere = issued_certificate(other)
    with on_day(datetime.date(2027, 1, 1)):
        next_year = issued_certificate(member)
    assert first.number == "our-team-2026-0001"
    assert second.number == "our-team-2026-0002"
    assert elsewhere.number == "other-team-2026-0001"
    assert next_year.number == "our-team-2027-0001"
    assert next_year.year == 2027


def test_a_request_keeps_only_the_last_four_characters_of_the_id(personas):
    certificate = services.certificate_request(
        member=personas.volunteer_member,
        start=PERIOD[0],
        end=PERIOD[1],
        user=personas.volunteer,
        id_type="resident_id",
        id_number="54020219900101123X",
    )
    stored = Certificate.objects.filter(pk=certificate.pk).values()[0]
    assert stored["id_last_four"] == "123X"
    assert not any("540202" in str(value) for value in stored.values())
    assert (certificate.status, certificate.number, certificate.code) == ("requested", None, None)


def test_a_request_is_issued_once_and_a_refused_one_not_at_all(personas, service):
    def request():
        return services.certificate_request(
            member=service, start=PERIOD[0], end=PERIOD[1], user=personas.volunteer
        )

    certificate = request()
    issued = services.certificate_issue(certificate=certificate, user=personas.secretary)
    assert issued.total_hours == Decimal("11.5")
    with pytest.raises(services.CertificateError):
        services.certificate_issue(certificate=certificate, user=personas.secretary)
    refused = services.certificate_refuse(certificate=request(), reason="时间段写错了")
    assert refused.status == CertificateStatus.REFUSED
    with pytest.raises(services.CertificateError):
        services.certificate_issue(certificate=refused, user=personas.secretary)
    assert Certificate.objects.filter(number__isnull=False).count() == 1


def test_revoking_keeps_the_certificate_and_says_when_and_why(personas, service):
    certificate = issued_certificate(service)
    services.certificate_revoke(certificate=certificate, user=personas.secretary, reason="重复出具")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoke_reason == "重复出具"
    assert certificate.revoked_by == personas.secretary
    assert certificate.revoked_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_REVOKE).count() == 1
    with pytest.raises(services.CertificateError):
        services.certificate_revoke(certificate=certificate, user=personas.secretary, reason="再次")


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("次仁多吉", "次*多吉"),
        ("张三丰", "张*丰"),
        ("阿旺次仁多吉", "阿**仁多吉"),
        ("次仁", "次*"),
        ("甲", "*"),
    ],
)
def test_names_are_masked_keeping_the_first_character_and_the_second_half(name, masked):
    assert services.mask_name(name) == masked
