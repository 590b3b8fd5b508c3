import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from certificates.models import Certificate, CertificateStatus
from certificates.tests.conftest import PERIOD
from certificates.tests.factories import issued_certificate
from conftest import client_for, text_of
from volunteer_site.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

MINE = reverse("certificates:mine")
REGISTER = reverse("certificates:register", kwargs={"slug": "our-team"})


def request_data(**overrides) -> dict:
    return {
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "national_volunteer_id": "",
        "id_type": "resident_id",
        "id_number": "54020219900101123X",
        "remarks": "用于评优",
        **overrides,
    }


def test_the_record_page_links_to_the_certificates(personas):
    page = client_for(personas.volunteer).get(reverse("records:mine")).content.decode()
    assert MINE in page and "申请服务记录证明" in page


def test_a_volunteer_requests_and_the_secretary_issues(personas, service):
    volunteer = client_for(personas.volunteer)
    response = volunteer.post(MINE, request_data())
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert (certificate.status, certificate.id_last_four) == ("requested", "123X")
    assert "待出具" in text_of(volunteer.get(MINE))

    secretary = client_for(personas.secretary)
    register = text_of(secretary.get(REGISTER))
    assert "志愿者甲" in register and "待出具" in register
    url = reverse("certificates:approve", kwargs={"slug": "our-team", "pk": certificate.pk})
    assert secretary.post(url, {"contact": "0892-1234567"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.total_hours == Decimal("11.5")
    assert certificate.contact == "0892-1234567"

    mine = text_of(volunteer.get(MINE))
    assert certificate.number in mine and "11.5" in mine and "下载PDF" in mine
    pdf = volunteer.get(reverse("certificates:my_pdf", kwargs={"pk": certificate.pk}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_refused_request_shows_its_reason_and_has_no_pdf(personas):
    client_for(personas.volunteer).post(MINE, request_data(id_type="", id_number=""))
    certificate = Certificate.objects.get()
    url = reverse("certificates:refuse", kwargs={"slug": "our-team", "pk": certificate.pk})
    client_for(personas.secretary).post(url, {"reason": "时间段内没有服务"})
    assert "时间段内没有服务" in text_of(client_for(personas.volunteer).get(MINE))
    pdf = reverse("certificates:my_pdf", kwargs={"pk": certificate.pk})
    assert client_for(personas.volunteer).get(pdf).status_code == 404


def test_a_refusal_without_a_reason_changes_nothing(personas):
    client_for(personas.volunteer).post(MINE, request_data(id_type="", id_number=""))
    certificate = Certificate.objects.get()
    url = reverse("certificates:refuse", kwargs={"slug": "our-team", "pk": certificate.pk})
    response = client_for(personas.secretary).post(url, {"reason": "  "}, follow=True)
    assert "请填写原因" in text_of(response) or "这个字段是必填项" in text_of(response)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REQUESTED


def test_the_secretary_issues_directly_for_any_member(personas, service):
    url = reverse("certificates:issue", kwargs={"slug": "our-team"})
    response = client_for(personas.secretary).post(
        url,
        {
            "member": service.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "national_volunteer_id": "",
            "contact": "",
            "remarks": "",
        },
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert (certificate.activity_count, certificate.total_hours) == (2, Decimal("11.5"))
    assert certificate.issued_by == personas.secretary


def test_another_teams_member_cannot_be_chosen(personas):
    from members.tests.factories import MemberFactory

    outsider = MemberFactory(team=personas.other_team)
    url = reverse("certificates:issue", kwargs={"slug": "our-team"})
    response = client_for(personas.secretary).post(
        url, {"member": outsider.pk, "period_start": "2026-01-01", "period_end": "2026-06-30"}
    )
    assert response.status_code == 200
    assert "member" in response.context["form"].errors
    assert not Certificate.objects.exists()


def test_the_register_filters_and_exports_the_figures_as_issued(personas, service):
    issued = issued_certificate(service, start=PERIOD[0], end=PERIOD[1])
    client_for(personas.volunteer).post(MINE, request_data(id_type="", id_number=""))
    issued_rows = text_of(client_for(personas.secretary).get(REGISTER + "?status=issued"))
    assert issued.number in issued_rows and "待出具" not in issued_rows
    none = text_of(client_for(personas.secretary).get(REGISTER + "?year=1999"))
    assert "这里没有证明" in none
    # Full-width digits are the same year.
    this_year = str(issued.year).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert issued.number in text_of(
        client_for(personas.secretary).get(REGISTER + "?year=" + this_year)
    )

    export = reverse("certificates:export", kwargs={"slug": "our-team"})
    response = client_for(personas.region_admin).get(export + "?status=issued")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == issued.number]
    assert len(rows) == 1
    number, status, name, _vn, period, count, hours = rows[0][:7]
    assert (status, name, period, count) == ("有效", "志愿者甲", "2026-01-01 至 2026-06-30", 2)
    assert Decimal(str(hours)) == Decimal("11.5")
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, user=personas.region_admin).exists()


def test_a_region_admin_reads_the_register_without_the_secretarys_buttons(personas, service):
    issued_certificate(service)
    page = client_for(personas.region_admin).get(REGISTER).content.decode()
    assert "作废" in page  # the status filter names it
    assert reverse("certificates:issue", kwargs={"slug": "our-team"}) not in page
    assert "/revoke/" not in page


def test_revoking_needs_a_reason_and_the_verification_then_says_revoked(personas, service):
    certificate = issued_certificate(service)
    url = reverse("certificates:revoke", kwargs={"slug": "our-team", "pk": certificate.pk})
    secretary = client_for(personas.secretary)
    secretary.post(url, {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    verify = reverse("certificates:verify", kwargs={"code": certificate.code})
    assert "有效" in text_of(client_for().get(verify))
    secretary.post(url, {"reason": "重复出具"})
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    page = text_of(client_for().get(verify))
    assert "已作废" in page and f"{certificate.revoked_at.astimezone():%Y}" in page
    assert "有效" not in page.replace("有效性", "")


def test_the_public_page_shows_the_masked_name_and_nothing_else_personal(personas, service):
    service.name = "次仁多吉"
    service.save()
    certificate = issued_certificate(service, start=PERIOD[0], end=PERIOD[1])
    response = client_for().get(reverse("certificates:verify", kwargs={"code": certificate.code}))
    page = text_of(response)
    assert "次*多吉" in page and "次仁多吉" not in page
    assert certificate.number in page and "我们的志愿服务队" in page
    assert "2026-01-01 – 2026-06-30" in page and "11.5" in page and "有效" in page
    assert service.volunteer_number not in page and service.phone not in page
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_codes_are_read_as_typed_on_paper(personas, service):
    certificate = issued_certificate(service)
    typed = certificate.code.lower()[:5] + " - " + certificate.code[5:]
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in typed if ch not in " -")
    for text in (typed, full_width):
        response = client_for().get(reverse("certificates:verify_form"), {"code": text})
        assert response["Location"] == certificate.verify_path()


@pytest.mark.parametrize(
    "code", ["22222222", "2222222222", "ABCDEFGHJK1", "O0O0O0O0O0", "长" * 5000, "A" * 5000]
)
def test_every_wrong_code_gets_the_same_plain_not_found(personas, service, code):
    issued_certificate(service)
    requested = Certificate.objects.create(
        team=personas.team, member=service, period_start=PERIOD[0], period_end=PERIOD[1]
    )
    assert requested.code is None
    reference = client_for().get(reverse("certificates:verify", kwargs={"code": "2222222222"}))
    response = client_for().get(reverse("certificates:verify", kwargs={"code": code}))
    assert response.status_code == 404
    assert text_of(response) == text_of(reference)
    assert "未找到证明" in text_of(response)


def test_a_prefix_of_a_real_code_is_not_told_apart(personas, service):
    certificate = issued_certificate(service)
    near = certificate.code[:9] + ("2" if certificate.code[9] != "2" else "3")
    response = client_for().get(reverse("certificates:verify", kwargs={"code": near}))
    wrong = client_for().get(reverse("certificates:verify", kwargs={"code": "ZZZZZZZZZZ"}))
    assert response.status_code == wrong.status_code == 404
    assert text_of(response) == text_of(wrong)


def test_lookups_are_limited_per_address_in_chinese(personas, settings):
    from certificates.views import VERIFY_LIMIT

    client = client_for()
    url = reverse("certificates:verify", kwargs={"code": "2222222222"})
    statuses = [client.get(url).status_code for _ in range(VERIFY_LIMIT + 1)]
    assert statuses[:VERIFY_LIMIT] == [404] * VERIFY_LIMIT
    assert statuses[-1] == 429
    assert "核验证明的次数过多" in text_of(client.get(url))
    # Another address is not limited.
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 404


def test_a_reversed_or_future_period_is_refused_in_chinese(personas):
    response = client_for(personas.volunteer).post(
        MINE, request_data(period_start="2026-06-30", period_end="2026-01-01")
    )
    assert "结束日期早于开始日期" in text_of(response)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = client_for(personas.volunteer).post(
        MINE, request_data(period_end=tomorrow.isoformat())
    )
    assert "不能晚于今天" in text_of(response)
    assert not Certificate.objects.exists()


def test_the_register_costs_the_same_queries_for_one_or_many(
    personas, django_assert_max_num_queries
):
    from members.tests.factories import MemberFactory

    secretary = client_for(personas.secretary)
    issued_certificate(personas.volunteer_member)
    with django_assert_max_num_queries(50) as one:
        secretary.get(REGISTER)
    for _ in range(10):
        issued_certificate(MemberFactory(team=personas.team))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = secretary.get(REGISTER)
    assert len(re.findall(r'id="certificate-\d+"', page.content.decode())) == 11


def test_a_sixth_open_request_is_refused_with_the_form_kept(personas):
    from certificates.services import OPEN_REQUEST_LIMIT

    volunteer = client_for(personas.volunteer)
    for _ in range(OPEN_REQUEST_LIMIT):
        assert volunteer.post(MINE, request_data(id_type="", id_number="")).status_code == 302
    response = volunteer.post(MINE, request_data(remarks="第六份"))
    assert response.status_code == 200
    assert "5 份申请等待秘书出具" in text_of(response)
    assert "第六份" in response.content.decode()
    assert Certificate.objects.count() == OPEN_REQUEST_LIMIT


def _issued_with_id(personas, service) -> Certificate:
    certificate = issued_certificate(service, user=personas.secretary)
    Certificate.objects.filter(pk=certificate.pk).update(id_type="resident_id", id_last_four="123X")
    certificate.refresh_from_db()
    return certificate


def _pdf_text(content: bytes, tmp_path) -> str:
    from certificates.tests.test_pdf import pdftotext

    return re.sub(r"\s+", "", pdftotext(content, tmp_path))


def test_the_volunteer_has_the_whole_id_number_printed_and_it_is_kept_nowhere(
    personas, service, tmp_path
):
    certificate = _issued_with_id(personas, service)
    stored = Certificate.objects.filter(pk=certificate.pk).values().get()
    url = reverse("certificates:my_pdf", kwargs={"pk": certificate.pk})
    volunteer = client_for(personas.volunteer)

    assert "**************123X" in _pdf_text(volunteer.get(url).content, tmp_path)
    # Typed with a Chinese input method: full-width, lower case, spaces.
    response = volunteer.post(url, {"id_number": "５４０２ ０２１９９００１０１１２３ｘ"})
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "居民身份证54020219900101123X" in text and "*" * 14 not in text

    assert Certificate.objects.filter(pk=certificate.pk).values().get() == stored
    logged = " ".join(str(entry.detail) + entry.target for entry in AuditEntry.objects.all())
    assert "19900101" not in logged


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("540202199001019999", "这个号码的后四位不是123X，与申请时填写的不一致。"),
        ("54020219900101\x00123X", None),  # NUL: the site's 400, nothing printed
        ("1" * 5000, None),
        ("5402-0219-9001-0112-3X", "证件号码应为4至30位字母或数字。"),
    ],
)
def test_a_wrong_whole_id_number_prints_nothing_and_says_why(personas, service, typed, message):
    certificate = _issued_with_id(personas, service)
    url = reverse("certificates:my_pdf", kwargs={"pk": certificate.pk})
    volunteer = client_for(personas.volunteer)
    response = volunteer.post(url, {"id_number": typed})
    assert response.get("Content-Type") != "application/pdf"
    if message is not None:
        assert response.status_code == 302
        assert message in text_of(volunteer.get(MINE))


def test_another_volunteers_certificate_cannot_be_downloaded_with_a_number(personas, service):
    certificate = _issued_with_id(personas, service)
    url = reverse("certificates:my_pdf", kwargs={"pk": certificate.pk})
    other = personas.other_staff
    assert client_for(other).post(url, {"id_number": "54020219900101123X"}).status_code == 404
