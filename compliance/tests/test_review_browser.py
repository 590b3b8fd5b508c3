"""The secretary's monthly review in a real browser (Chromium through Playwright).

On the demo team (121 members, all registered since 2017) this year gets one more
approved activity on the 10th of every month up to last month. Members 1–40 take
part every time (on track or met), members 41–80 only in January (behind, unless
last month is January or the demo's own activities lift them). The expected
figures are read from the summary tables, which other tests check by hand.
"""

import datetime
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from activities.models import Activity, ActivityStatus, MonthlyReview, Participation
from activities.stats import team_figures_recompute
from activities.tests.test_browser import log_in
from compliance.months import default_review_month
from compliance.review_data import review_load
from demo.team import demo_load
from demo.team_data import TEAM_SLUG
from members.models import Member
from teams.models import ServiceCategory, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _this_year_up_to(year: int, month: int) -> None:
    team = Team.objects.get(slug=TEAM_SLUG)
    members = list(Member.objects.filter(team=team).order_by("volunteer_number"))
    category = ServiceCategory.objects.filter(team__isnull=True).first()
    for number in range(1, month + 1):
        day = datetime.date(year, number, 10)
        activity = Activity.objects.create(
            team=team,
            category=category,
            title=f"{number}月理论学习与社区服务",
            start_date=day,
            end_date=day,
            hours=Decimal("3"),
            status=ActivityStatus.APPROVED,
            approved_at=timezone.now(),
        )
        chosen = members[:40] + (members[40:80] if number == 1 else [])
        Participation.objects.bulk_create(
            [Participation(activity=activity, member=m, hours=Decimal("3")) for m in chosen]
        )
    team_figures_recompute(team_id=team.pk)


def test_secretary_reviews_last_month_filters_signs_and_downloads(live_server, page, tmp_path):
    demo_load()
    year, month = default_review_month(timezone.localdate())
    _this_year_up_to(year, month)
    data = review_load(Team.objects.get(slug=TEAM_SLUG), year, month, today=timezone.localdate())
    expected_behind = sum(1 for row in data.members if row.status == "behind")
    assert expected_behind or month == 1
    base = live_server.url

    log_in(page, base, "secretary", "demo-secretary-2018")
    page.goto(f"{base}/teams/{TEAM_SLUG}/")
    page.click("ul.nav-tabs >> text=月度审核")
    page.wait_for_url(re.compile(rf".*/reviews/{year}/{month}/$"))
    assert f"{year}年{month}月 月度审核" in page.inner_text("#review-title")
    assert page.locator("#month-strip li").count() == month  # January to the month reviewed
    assert page.locator(f"#month-strip li[data-month='{month}']").get_attribute("data-state") == (
        "met"
    )
    assert page.locator("#review-members tbody tr").count() == 121

    # Filter to 落后: the list reloads as soon as the status is chosen.
    page.select_option("#id_status", "behind")
    page.wait_for_url(re.compile(r".*status=behind.*"))
    behind_rows = page.locator("#review-members tbody tr")
    assert behind_rows.count() == (expected_behind or 1)  # the "no member" row if none
    if expected_behind:
        statuses = set(behind_rows.evaluate_all("rows => rows.map(r => r.dataset.status)"))
        assert statuses == {"behind"}
    page.screenshot(path="test-artifacts/review.png", full_page=True)

    # Sign off with a comment.
    page.fill("#id_comment", "本月活动已核对；落后队员已逐一提醒。")
    page.once("dialog", lambda dialog: dialog.accept())  # 确定签署……吗？ (static/js/site.js)
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector(".messages .alert-success")
    assert "已签署" in page.inner_text(".messages")
    assert "本月活动已核对" in page.inner_text("#review-comment")
    review = MonthlyReview.objects.get(team__slug=TEAM_SLUG, year=year, month=month)
    assert review.comment == "本月活动已核对；落后队员已逐一提醒。"
    assert review.signed_by.username == "secretary"
    assert len(review.snapshot["members"]) == 121

    # Download the workbook and open it.
    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    assert download.suggested_filename == f"月度审核-{TEAM_SLUG}-{year}-{month:02d}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["月度情况", "队员情况", "报名与到场"]
    members = list(book["队员情况"].iter_rows(min_row=2, values_only=True))
    assert len(members) == 121
    assert sum(1 for row in members if row[7] == "落后") == expected_behind  # after 当前应达
    months = list(book["月度情况"].iter_rows(min_row=2, max_row=13, values_only=True))
    reviewed = data.review_month
    assert months[month - 1][1] == reviewed.activities
    assert Decimal(str(months[month - 1][2])) == reviewed.activity_hours
    assert months[month - 1][3] == reviewed.participant_times
    assert [row[0] for row in members] == [row.number for row in data.members]
    page.screenshot(path="test-artifacts/review-signed.png")

    # The printable page: no navigation, the signature, A4 landscape in print.
    page.click("text=打印")
    page.wait_for_url(re.compile(r".*/print/$"))
    assert page.locator("nav.site-nav").count() == 0
    assert "黄晓梅" in page.inner_text("main")
    page.emulate_media(media="print")
    assert not page.locator("[data-print]").is_visible()
    page.pdf(path="test-artifacts/review-print.pdf")
    page.screenshot(path="test-artifacts/review-print.png")
