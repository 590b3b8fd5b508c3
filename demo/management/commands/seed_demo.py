"""``manage.py seed_demo``: load the reference team (demo/team.py), the other demo teams
(demo/region.py) and list the logins."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo.region import demo_region_load
from demo.team import demo_load
from volunteer_site.accounts import password_change_require
from volunteer_site.models import PasswordChangeRequired


class Command(BaseCommand):
    help = (
        "载入演示数据：日喀则市人民政府办公室党员志愿服务队、拉萨市等地的其他队伍及演示账号"
        "（可重复运行）。 "
        "Load the demo team, the other demo teams and the demo logins (safe to run again)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--public-passwords-ok",
            action="store_true",
            help="Load the demo logins even with DJANGO_DEBUG off (a public demo site).",
        )

    def handle(self, *args, **options) -> None:
        # The demo logins' passwords are printed in the README: never create
        # them on a production site by accident.
        if not settings.DEBUG and not options["public_passwords_ok"]:
            raise CommandError(
                "seed_demo 会创建密码公开的演示账号，DJANGO_DEBUG 关闭时拒绝运行；"
                "演示站点请加 --public-passwords-ok。 "
                "seed_demo creates logins with public passwords and refuses to run with "
                "DJANGO_DEBUG off; add --public-passwords-ok on a demo site."
            )
        result = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪 / demo data ready: {result.team.name}（{result.team.slug}）"
            )
        )
        self.stdout.write(
            f"队员 members {result.members} · 活动 activities {result.activities} · "
            f"服务记录 participations {result.participations}"
        )
        self.stdout.write(
            f"本次新建 created {result.created} · 更新 updated {result.updated} · "
            f"删除 deleted {result.deleted}"
        )
        # The other teams of the region overview (demo/region.py).
        region = demo_region_load()
        self.stdout.write(
            f"其他演示队伍 other demo teams: {len(region.teams)}"
            f"（{'、'.join(team.name for team in region.teams)}）"
        )
        self.stdout.write(
            f"其他队伍本次新建 new {region.created} · 改动 changed {region.updated} · "
            f"移除 removed {region.deleted}"
        )
        logins = [*result.logins, *region.logins]
        # Public passwords: with debug off, each login must choose a new one first.
        password_change_require(
            users=get_user_model().objects.filter(username__in=[x.username for x in logins]),
            reason=PasswordChangeRequired.Reason.DEMO,
        )
        self.stdout.write("")
        rows = [("用户名 / username", "密码 / password", "姓名 / name", "角色 / role")]
        rows += [
            (login.username, login.password, login.last_name + login.first_name, login.role)
            for login in [*result.logins, *region.logins]
        ]
        widths = [max(_width(row[col]) for row in rows) for col in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                "这些密码是公开的，只用于演示环境。 "
                "These passwords are public: use them only on a demo site."
            )
        )


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
