"""How fast a 5,000-member roster imports: preview (read + check) and confirm (write).

Run from the project folder:

    .venv/bin/python bench/import_members.py            # SQLite, like the embedded set-up
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer \
        .venv/bin/python bench/import_members.py        # PostgreSQL

It creates a throw-away database (SQLite in memory, or ``bench_<name>`` on
PostgreSQL), a temporary team, and a generated workbook; then it times reading the
workbook alone, the preview, and the confirmation (which reads and checks the
file again before writing), and prints the figures. Nothing is left behind.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_site.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")


def roster_workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    from members.imports import HEADERS, SHEET

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    ranks = ["县级", "科级", "一般干部", "职工"]
    for i in range(rows):
        sheet.append(
            [
                f"BENCH{i:06d}",
                f"队员{i}",
                "女" if i % 2 else "男",
                "藏族" if i % 3 else "汉族",
                "是",
                datetime.date(2005, 7, 1) + datetime.timedelta(days=i % 3000),
                ranks[i % 4],
                "科员",
                f"139{i:08d}",
                f"member{i}@example.cn",
                datetime.date(2016, 3, 1) + datetime.timedelta(days=i % 900),
                None,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.rows)
    if connection.vendor != "sqlite":
        # Its own database, so a test run using test_<name> at the same time is untouched.
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.rows, connection.vendor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run(rows: int, vendor: str) -> None:
    from django.contrib.auth import get_user_model

    from members.imports import RowStatus, member_import_confirm, member_import_plan
    from members.models import Member
    from teams.models import Region, Team
    from volunteer_site.xlsx import read_tables

    region = Region.objects.create(name="基准测试地区")
    team = Team.objects.create(
        name="基准测试志愿服务队",
        slug="bench-team",
        region=region,
        host_unit="基准测试单位",
        founded_on=datetime.date(2016, 3, 1),
    )
    user = get_user_model().objects.create(username="bench-secretary")

    started = time.perf_counter()
    data = roster_workbook(rows)
    made = time.perf_counter() - started

    started = time.perf_counter()
    read_tables(data, filename="bench.xlsx", sheets=["注册志愿者"])
    read = time.perf_counter() - started

    started = time.perf_counter()
    plan = member_import_plan(team=team, data=data, filename="bench.xlsx")
    previewed = time.perf_counter() - started
    assert plan.count(RowStatus.NEW) == rows, plan.counts

    started = time.perf_counter()
    plan, result = member_import_confirm(
        team=team, data=data, filename="bench.xlsx", previewed=plan.digest, by=user
    )
    confirmed = time.perf_counter() - started
    assert result is not None and result.created == rows
    assert Member.objects.filter(team=team).count() == rows

    started = time.perf_counter()
    again = member_import_plan(team=team, data=data, filename="bench.xlsx")
    rechecked = time.perf_counter() - started
    assert again.count(RowStatus.UNCHANGED) == rows

    total = previewed + confirmed
    where = "in memory" if vendor == "sqlite" else "test database"
    print(f"database: {vendor} ({where}); rows: {rows}; workbook: {len(data) / 1024:.0f} KB")
    print(f"  generate workbook    {made:7.2f} s   (not part of the import)")
    print(f"  read workbook only   {read:7.2f} s   {rows / read:9.0f} rows/s")
    print(f"  preview              {previewed:7.2f} s   {rows / previewed:9.0f} rows/s")
    print(
        f"  confirm              {confirmed:7.2f} s   {rows / confirmed:9.0f} rows/s"
        "   (checks again, then writes)"
    )
    print(f"  re-import, unchanged {rechecked:7.2f} s   {rows / rechecked:9.0f} rows/s")
    print(f"  preview + confirm    {total:7.2f} s   {rows / total:9.0f} rows/s")


if __name__ == "__main__":
    main()
