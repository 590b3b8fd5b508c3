"""More demo teams, so the civilization office's overview has something to compare.

``demo/team.py`` loads the reference team under 西藏自治区 > 日喀则市. This adds
a second city, 拉萨市, with three teams, and two more teams under 日喀则市, each
with a different rhythm: one very active, one steady, one patchy (months without
an activity), one that keeps to the monthly rule with a summer gap, and one that
went quiet after 2018. Their activities fall in 2018 (the reference year) and
in 2026 (the current year of the demo), all approved, with participants drawn
in turn from the members registered on the day. Some members joined or left
during 2026, so the pro-rated yearly targets show. Several months are signed
off by each team's secretary, so the "last signed-off month" differs by team.

Like ``demo_load``, ``demo_region_load`` is deterministic and safe to run again:
rows are found by natural keys and written only where they differ, months
already signed off are left alone, and the figures are recomputed only when
something changed. Every name, number and phone is invented. The secretaries'
accounts have no usable password; the one demo login added here is
``provinceadmin``, the admin of 西藏自治区 (both cities).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from activities.models import Activity, ActivityStatus, MonthlyReview, Participation
from activities.stats import team_figures_recompute
from compliance import months, review_data
from demo.team import _sync, _Tally, member_rows, participations_sync
from demo.team_data import (
    CHANGE_REASON,
    CITY_NAME,
    HAN_FEMALE,
    HAN_MALE,
    HAN_SURNAMES,
    PROVINCE_NAME,
    TIBETAN_FEMALE,
    TIBETAN_FIRST,
    TIBETAN_MALE,
    DemoLogin,
)
from members.models import CadreRank, Gender, Member
from teams.models import (
    DEFAULT_CATEGORY_NAMES,
    Region,
    RegionAdmin,
    ServiceCategory,
    Team,
    TeamCategory,
    TeamRole,
)

D = datetime.date
SECOND_CITY_NAME = "拉萨市"
CURRENT_YEAR = 2026
# Months of 2026 with activities: up to November, the demo's "now".
CURRENT_MONTHS = 11

PROVINCE_LOGIN = DemoLogin(
    "provinceadmin",
    "demo-province-2018",
    "文明办管理员（西藏自治区）/ civilization-office admin (province)",
    "唐",
    "文清",
)


class DemoTeam(NamedTuple):
    """One team as designed: where it is, how big, and its activities per month."""

    slug: str
    name: str
    city: str
    host_unit: str
    founded: datetime.date
    published: bool
    members: int
    share_taking_part: float  # of the members registered that day, per activity
    months_2018: list[int]  # activities in each month
    months_2026: list[int]  # January to November
    signed: list[tuple[int, int]]  # (year, month) signed off by the secretary
    secretary: tuple[str, str]  # last name, first name
    volunteer_prefix: str
    places: list[str]


def _months(year: int, last: int) -> list[tuple[int, int]]:
    return [(year, month) for month in range(1, last + 1)]


# fmt: off
DEMO_TEAMS = [
    DemoTeam(
        "shigatse-finance", "日喀则市财政局党员志愿服务队", CITY_NAME, "日喀则市财政局",
        D(2016, 6, 1), True, 36, 0.5,
        [3] * 12, [3] * CURRENT_MONTHS,
        _months(2018, 12) + _months(2026, 10), ("宋", "丽娟"), "54029116",
        ["桑珠孜区城东街道", "桑珠孜区扎西吉彩社区", "南木林县结对村", "日喀则火车站"],
    ),
    DemoTeam(
        "shigatse-housing", "日喀则市住房和城乡建设局党员志愿服务队", CITY_NAME,
        "日喀则市住房和城乡建设局", D(2017, 4, 1), False, 28, 0.35,
        [1, 0, 1, 2, 0, 1, 1, 0, 1, 1, 0, 1], [1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1],
        _months(2018, 6), ("韩", "振宇"), "54029217",
        ["桑珠孜区城南街道", "桑珠孜区德勒社区", "江孜县帮扶村", "日喀则火车站"],
    ),
    DemoTeam(
        "lhasa-gov-office", "拉萨市人民政府办公室党员志愿服务队", SECOND_CITY_NAME,
        "拉萨市人民政府办公室", D(2015, 9, 1), True, 60, 0.45,
        [2] * 12, [2] * 10 + [1],
        _months(2018, 12) + _months(2026, 10), ("梁", "春燕"), "54019315",
        ["城关区八廓街道", "城关区吉日社区", "堆龙德庆区帮扶村", "拉萨火车站"],
    ),
    DemoTeam(
        "lhasa-education", "拉萨市教育局党员志愿服务队", SECOND_CITY_NAME, "拉萨市教育局",
        D(2017, 1, 1), True, 40, 0.4,
        [1, 1, 1, 1, 1, 1, 0, 0, 2, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1],
        _months(2026, 6), ("谢", "晓琳"), "54019417",
        ["城关区第一小学", "城关区金珠西路社区", "达孜区帮扶村", "拉萨火车站"],
    ),
    DemoTeam(
        "lhasa-statistics", "拉萨市统计局党员志愿服务队", SECOND_CITY_NAME, "拉萨市统计局",
        D(2018, 3, 1), False, 15, 0.6,
        [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0] * CURRENT_MONTHS,
        [], ("冯", "国栋"), "54019518",
        ["城关区两岛街道", "城关区嘎玛贡桑社区", "曲水县帮扶村", "拉萨火车站"],
    ),
]


class Template(NamedTuple):
    category: int  # index into DEFAULT_CATEGORY_NAMES
    title: str
    hours: str
    place: int  # index into the team's places
    content: str
    reached: int = 0
    materials: int = 0
    households: int = 0


TEMPLATES = [
    Template(0, "走访慰问困难群众", "3.0", 0, "为困难家庭送去米面油和棉衣，了解生活困难。",
             reached=30, households=12),
    Template(2, "文明交通劝导", "3.0", 1, "在路口劝导行人和非机动车遵守交通信号。",
             reached=500, materials=300),
    Template(3, "结对帮扶入户走访", "5.0", 2, "入户了解结对户收入和困难，商量增收打算。",
             reached=40, households=15),
    Template(4, "政策法规进社区宣讲", "2.5", 1, "讲解惠民政策和常用法律知识，解答群众疑问。",
             reached=300, materials=400),
    Template(2, "背街小巷环境整治", "3.0", 0, "清扫街巷垃圾，清除小广告，擦洗公共设施。"),
    Template(6, "包干区域安全巡查", "4.0", 0, "分组巡查包干区域，排查消防和用电隐患。"),
    Template(1, "主题宣传日志愿服务", "3.0", 1, "设点宣传志愿服务精神，提供咨询和便民服务。",
             reached=800, materials=600),
    Template(0, "关爱留守儿童", "2.5", 2, "陪伴留守儿童学习，送去文具和图书。", reached=25),
    Template(4, "义诊和健康知识宣传", "4.0", 2, "协助医生为群众义诊，讲解常见病预防。",
             reached=200, materials=300),
    Template(5, "火车站旅客引导服务", "3.5", 3, "在进站口和候车室引导旅客，帮扶老弱病残。",
             reached=600),
    Template(3, "助农春耕秋收", "5.0", 2, "帮助结对户春耕秋收，宣传农牧技术。", households=10),
    Template(2, "公共设施清洁维护", "2.0", 1, "清洗果皮箱和公交站牌，登记损坏的设施。"),
]
# fmt: on
DAYS = [6, 15, 24]  # the days of the month a team's 1st, 2nd and 3rd activities fall on


@dataclass
class DemoRegionResult:
    teams: list[Team]
    created: int = 0
    updated: int = 0
    deleted: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


@transaction.atomic
def demo_region_load(*, today: datetime.date | None = None) -> DemoRegionResult:
    """Create or bring back the second city and the additional teams (see the module text).

    Run after ``demo.team.demo_load``, which creates the province, 日喀则市 and the
    shared service categories (they are created here too if missing).
    """
    today = today or timezone.localdate()
    tally = _Tally()
    province = _sync(Region, tally=tally, lookup={"parent": None, "name": PROVINCE_NAME})
    cities = {
        name: _sync(Region, tally=tally, lookup={"parent": province, "name": name})
        for name in (CITY_NAME, SECOND_CITY_NAME)
    }
    categories = [
        _sync(ServiceCategory, tally=tally, lookup={"team": None, "name": name})
        for name in DEFAULT_CATEGORY_NAMES
    ]
    admin = _login_load(tally=tally, province=province)
    names = _NamePool({row["name"] for row in member_rows()})
    teams = []
    for index, design in enumerate(DEMO_TEAMS):
        before = (tally.created, tally.updated, tally.deleted)
        team = _team_load(tally=tally, design=design, region=cities[design.city])
        # Regular projects: the categories of the team's first activities, in order.
        firsts = [TEMPLATES[(index * 5 + n) % len(TEMPLATES)].category for n in range(6)]
        for position, category_index in enumerate(dict.fromkeys(firsts)):
            category = categories[category_index]
            _sync(
                TeamCategory,
                tally=tally,
                lookup={"team": team, "category": category},
                values={"position": position},
            )
        secretary = _secretary_load(tally=tally, design=design, team=team)
        members = _members_load(tally=tally, design=design, team=team, names=names)
        _activities_load(
            tally=tally,
            design=design,
            offset=index * 5,
            team=team,
            categories=categories,
            members=members,
            secretary=secretary,
        )
        changed = (tally.created, tally.updated, tally.deleted) != before
        if changed or not team.figures.exists():
            team_figures_recompute(team_id=team.pk)
        _reviews_sign(tally=tally, design=design, team=team, secretary=secretary, today=today)
        teams.append(team)
    return DemoRegionResult(
        teams=teams,
        created=tally.created,
        updated=tally.updated,
        deleted=tally.deleted,
        logins=[PROVINCE_LOGIN._replace(last_name=admin.last_name, first_name=admin.first_name)],
    )


def _login_load(*, tally: _Tally, province: Region):
    login = PROVINCE_LOGIN
    user = _sync(
        get_user_model(),
        tally=tally,
        lookup={"username": login.username},
        values={
            "last_name": login.last_name,
            "first_name": login.first_name,
            "is_active": True,
            "is_staff": False,
            "is_superuser": False,
        },
    )
    if not user.check_password(login.password):
        user.set_password(login.password)
        user.save(update_fields=["password"])
        tally.updated += 1
    _sync(RegionAdmin, tally=tally, lookup={"user": user, "region": province})
    return user


def _team_load(*, tally: _Tally, design: DemoTeam, region: Region) -> Team:
    return _sync(
        Team,
        tally=tally,
        lookup={"slug": design.slug},
        values={
            "name": design.name,
            "region": region,
            "host_unit": design.host_unit,
            "founded_on": design.founded,
            "lead_name": design.secretary[0] + design.secretary[1],
            "lead_title": design.host_unit + "机关党委副书记",
            "lead_consents_to_publication": design.published,
            "recommending_unit": "西藏自治区文明办" if design.published else "",
            "main_deeds": (
                f"<p>{design.name}由{design.host_unit}的党员干部职工组成，"
                "常年开展走访慰问、文明创建、结对帮扶和政策宣讲等志愿服务。</p>"
            ),
            "is_published": design.published,
            "published_on": D(2018, 12, 20) if design.published else None,
            "publication_source": "西藏自治区文明办" if design.published else "",
            "responsible_editor": "演示编辑" if design.published else "",
            "min_activities_per_month": 1,
            "min_participations_per_member_year": 10,
        },
    )


def _secretary_load(*, tally: _Tally, design: DemoTeam, team: Team):
    """The team's secretary: an account without a usable password (not a demo login)."""
    username = f"{design.slug}-secretary"
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model()(
            username=username, last_name=design.secretary[0], first_name=design.secretary[1]
        )
        user.set_unusable_password()
        user.save()
        tally.created += 1
    else:
        user = _sync(
            get_user_model(),
            tally=tally,
            lookup={"username": username},
            values={"last_name": design.secretary[0], "first_name": design.secretary[1]},
        )
    _sync(
        TeamRole,
        tally=tally,
        lookup={"user": user, "team": team},
        values={"role": TeamRole.Role.SECRETARY},
    )
    return user


class _NamePool:
    """Synthetic names from demo/team.py's lists, none used twice across the demo."""

    def __init__(self, used: set[str]):
        self.used = set(used)

    def take(self, *, seed: int, tibetan: bool, female: bool) -> str:
        """The first unused name of the kind, starting from ``seed`` in a fixed order."""
        if tibetan:
            firsts, seconds = TIBETAN_FIRST, TIBETAN_FEMALE if female else TIBETAN_MALE
        else:
            firsts, seconds = HAN_SURNAMES, HAN_FEMALE if female else HAN_MALE
        combinations = [a + b for b in seconds for a in firsts]
        for step in range(len(combinations)):
            name = combinations[(seed + step) % len(combinations)]
            if name not in self.used:
                self.used.add(name)
                return name
        raise AssertionError("the demo's name lists are used up")  # pragma: no cover


def _member_dates(design: DemoTeam, i: int) -> tuple[datetime.date, datetime.date | None]:
    """Most members registered within half a year of the founding; the last sixth
    joined during 2026, and every eleventh of the others left at the end of May 2026."""
    joiners = design.members // 6
    if i >= design.members - joiners:
        joined = D(CURRENT_YEAR, 3 + (i % 6), 1)  # March to August
        return joined, None
    registered = design.founded + datetime.timedelta(days=(i * 17) % 180)
    left = D(CURRENT_YEAR, 5, 31) if i % 11 == 10 else None
    return registered, left


def _members_load(*, tally: _Tally, design: DemoTeam, team: Team, names: _NamePool) -> list[Member]:
    members = []
    for i in range(design.members):
        tibetan = i % 5 not in (1, 3)
        female = i % 3 == 1
        registered, left = _member_dates(design, i)
        section = i < design.members // 4
        number = f"{design.volunteer_prefix}{i + 1:04d}"
        # The same name for the same number on every run: the pool is drawn in a fixed order.
        name = names.take(seed=i * 13 + len(design.slug), tibetan=tibetan, female=female)
        members.append(
            _sync(
                Member,
                tally=tally,
                lookup={"volunteer_number": number},
                values={
                    "team": team,
                    "name": name,
                    "gender": Gender.FEMALE if female else Gender.MALE,
                    "ethnicity": "藏族" if tibetan else "汉族",
                    "is_party_member": True,
                    "party_joined_on": D(1990 + (i * 7) % 28, 1 + i % 12, 1 + (i * 5) % 28),
                    "cadre_rank": CadreRank.SECTION if section else CadreRank.GENERAL,
                    "position": "科长" if section else "科员",
                    "phone": f"139{design.volunteer_prefix[-4:]}{(i * 7919) % 10000:04d}",
                    "registered_on": registered,
                    "left_on": left,
                },
            )
        )
    return members


def _schedule(design: DemoTeam, offset: int) -> list[tuple[datetime.date, Template]]:
    """(date, template) of each activity, in date order."""
    planned = []
    counter = offset
    for year, per_month in ((2018, design.months_2018), (CURRENT_YEAR, design.months_2026)):
        for month, count in enumerate(per_month, start=1):
            for n in range(count):
                planned.append((D(year, month, DAYS[n]), TEMPLATES[counter % len(TEMPLATES)]))
                counter += 1
    return planned


def _activities_load(
    *,
    tally: _Tally,
    design: DemoTeam,
    offset: int,
    team: Team,
    categories: list[ServiceCategory],
    members: list[Member],
    secretary: Any,
) -> None:
    tz = timezone.get_default_timezone()
    planned = _schedule(design, offset)
    activities = []
    for day, template in planned:
        hours = Decimal(template.hours)
        title = template.title
        # Lower any participant's hours above the designed activity hours first,
        # or the database refuses the activity's update (db_triggers.py).
        for too_long in Participation.objects.filter(
            activity__team=team, activity__title=title, activity__start_date=day, hours__gt=hours
        ):
            too_long.hours = hours
            too_long.save(update_fields=["hours"])
        activities.append(
            _sync(
                Activity,
                tally=tally,
                lookup={"team": team, "title": title, "start_date": day},
                values={
                    "category": categories[template.category],
                    "end_date": day,
                    "hours": hours,
                    "place": design.places[template.place],
                    "content": template.content,
                    "organiser": design.host_unit + "机关党委",
                    "people_reached": template.reached,
                    "materials_distributed": template.materials,
                    "households_visited": template.households,
                    "donation_yuan": Decimal("0"),
                    "other_outcomes": "",
                    "status": ActivityStatus.APPROVED,
                    "return_reason": "",
                    "is_late": False,
                    "created_by": secretary,
                    "submitted_at": datetime.datetime.combine(
                        day + datetime.timedelta(days=1), datetime.time(17, 30), tzinfo=tz
                    ),
                    "approved_by": secretary,
                    "approved_at": datetime.datetime.combine(
                        day + datetime.timedelta(days=2), datetime.time(9, 30), tzinfo=tz
                    ),
                },
            )
        )
    wanted = _participants(design, planned, activities, members)
    participations_sync(tally=tally, activities=activities, wanted=wanted)


def _participants(
    design: DemoTeam,
    planned: list[tuple[datetime.date, Template]],
    activities: list[Activity],
    members: list[Member],
) -> dict[tuple[int, int], tuple[Decimal, str]]:
    """(activity id, member id) → (hours, role). Members registered on the day take part
    in turn; the first is the organiser; every sixth left an hour early where the
    activity lasted 3 hours or more."""
    wanted = {}
    cursor = 0
    for (day, template), activity in zip(planned, activities, strict=True):
        hours = Decimal(template.hours)
        present = [m for m in members if m.was_registered_on(day)]
        if not present:
            continue
        count = max(3, round(len(present) * design.share_taking_part))
        chosen = [present[(cursor + n) % len(present)] for n in range(min(count, len(present)))]
        cursor += count
        for n, member in enumerate(chosen):
            role = Participation.Role.ORGANISER if n == 0 else Participation.Role.PARTICIPANT
            short = hours >= 3 and n % 6 == 5
            wanted[(activity.pk, member.pk)] = (hours - 1 if short else hours, role)
    return wanted


def _reviews_sign(
    *, tally: _Tally, design: DemoTeam, team: Team, secretary: Any, today: datetime.date
) -> None:
    """Sign off the designed months that are over and not signed yet.

    As ``compliance.reviews.review_sign`` does (the figures of the month frozen in
    a snapshot with its fingerprint), but dated the 5th of the following month,
    when the secretary would have signed: a demo loaded today should not show
    2018's months signed this morning.
    """
    tz = timezone.get_default_timezone()
    signed = set(MonthlyReview.objects.filter(team=team).values_list("year", "month"))
    for year, month in design.signed:
        if (year, month) in signed or (year, month) >= (today.year, today.month):
            continue
        data = review_data.review_load(team, year, month, today=today)
        next_year, next_month = months.next_month(year, month)
        review = MonthlyReview(
            team=team,
            year=year,
            month=month,
            signed_by=secretary,
            signed_at=min(
                datetime.datetime(next_year, next_month, 5, 10, 0, tzinfo=tz), timezone.now()
            ),
            comment="已核对本月活动记录和参与人员。",
            snapshot=data.to_snapshot(),
        )
        review._history_user = secretary
        review._change_reason = CHANGE_REASON
        review.save()
        tally.created += 1
