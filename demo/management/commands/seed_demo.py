"""``manage.py seed_demo``: load the reference team (demo/team.py), the other demo teams
(demo/region.py) and list the logins.

``make run`` runs it on every start, so it creates the demo only when none of the demo
teams exists: whatever people changed on a demo site (a renamed member, an activity
logged, a password) stays. ``--reset`` deletes the demo teams with everything that
belongs to them and loads the demo afresh.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities.models import Activity, MonthlyReview
from certificates.models import Certificate
from demo.region import DEMO_TEAMS, PROVINCE_LOGIN, demo_region_load
from demo.team import demo_load
from demo.team_data import DEMO_LOGINS, TEAM_SLUG, DemoLogin
from members.models import Member
from teams.models import Team
from volunteer_site.accounts import password_change_require
from volunteer_site.models import PasswordChangeRequired

DEMO_SLUGS = [TEAM_SLUG, *(design.slug for design in DEMO_TEAMS)]


class Command(BaseCommand):
    help = (
        "载入演示数据：日喀则市人民政府办公室党员志愿服务队、拉萨市等地的其他队伍及演示账号。"
        "演示队伍已存在时不作任何改动；加 --reset 恢复演示数据。 "
        "Load the demo team, the other demo teams and the demo logins when no demo team "
        "exists yet; later runs change nothing. --reset restores the demo."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--public-passwords-ok",
            action="store_true",
            help="Load the demo logins even with DJANGO_DEBUG off (a public demo site).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "删除演示队伍的全部数据（队员、活动、审核、角色、纠错）后重新载入，"
                "演示账号恢复原密码。 "
                "Delete the demo teams with their members, activities, reviews, roles and "
                "error reports, then load the demo afresh (the demo logins get their "
                "passwords back)."
            ),
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
        with transaction.atomic():  # a reset that fails leaves the demo as it was
            if options["reset"]:
                deleted = demo_teams_delete()
                self.stdout.write(f"已删除演示队伍 demo teams deleted: {deleted}")
            if Team.objects.filter(slug__in=DEMO_SLUGS).exists():
                logins = self._leave_as_it_is()
            else:
                logins = self._load()
        self.stdout.write("")
        rows = [("用户名 / username", "密码 / password", "姓名 / name", "角色 / role")]
        rows += [
            (login.username, login.password, login.last_name + login.first_name, login.role)
            for login in logins
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

    def _load(self) -> list[DemoLogin]:
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
        return logins

    def _leave_as_it_is(self) -> list[DemoLogin]:
        """The logins as designed, with the names their accounts have now."""
        self.stdout.write(
            self.style.SUCCESS(
                "演示数据已存在，保留现有数据和修改，未作改动；恢复演示数据请运行 "
                "manage.py seed_demo --reset。 "
                "The demo is already there and was left as it is (with any changes "
                "made since); manage.py seed_demo --reset restores it."
            )
        )
        self.stdout.write("下列为初始密码，如已修改以修改后的为准。 Passwords as first set:")
        designed = [*DEMO_LOGINS, PROVINCE_LOGIN]
        users = get_user_model().objects.in_bulk(
            [login.username for login in designed], field_name="username"
        )
        return [
            login._replace(
                last_name=users[login.username].last_name,
                first_name=users[login.username].first_name,
            )
            if login.username in users
            else login
            for login in designed
        ]


def demo_teams_delete() -> int:
    """Delete the demo teams and everything that hangs off them; returns the teams deleted.

    Reviews first, so that deleting their activities notes no change on them; then the
    activities (with their participations) and the members, which protect their team;
    the team takes its roles, regular projects, own categories, figures and error
    reports with it. Accounts, regions and the shared categories stay: the load finds
    them again. Through the ORM, so the change history records it.
    """
    teams = Team.objects.filter(slug__in=DEMO_SLUGS)
    MonthlyReview.objects.filter(team__in=teams).delete()
    Activity.objects.filter(team__in=teams).delete()
    # Certificates protect their member and team (a real one is never deleted).
    Certificate.objects.filter(team__in=teams).delete()
    Member.objects.filter(team__in=teams).delete()
    return teams.delete()[1].get(Team._meta.label, 0)


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
