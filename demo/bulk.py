"""Province-scale synthetic data for benchmarks (``manage.py seed_bulk``), on PostgreSQL.

A province (湖南省) with its 14 prefecture-level regions, ``teams`` teams spread over
them, about ``members_per_team`` members each and ``years`` years of activities up to
``until``, drawn from distributions shaped like the reference team's
(docs/domain.md § Demo data: about 26 activities a year of 2–5 hours, 10–20 people each,
now and then a large event with most of the team, a three-day trip):

* team sizes vary ±40 % around ``members_per_team``; 80 % of the members registered
  within two months of the founding, the others join later, and one in ten leaves;
* 5 % of the teams never log an activity and 5 % stop part-way (inactive teams);
* an active team holds 10–30 activities a year; an activity takes 6–20 % of the
  members (one in twenty: 35–95 %), all registered on its dates; one participant in
  ten left early (fewer hours than the activity, never more);
* nearly everything is approved; the last weeks have activities awaiting approval and
  drafts, and a few are returned or logged late.

At 10,000 teams × 120 members × 3 years that is 1.2 million members, about 600,000
activities and 10 million participations.

Everything is drawn from one ``random.Random`` per team, seeded from ``seed`` and the
team's position, so the same ``seed`` and ``until`` give the same rows.

Speed: the rows are written with ``COPY`` in chunks of teams, inside one transaction.
For the three big tables the secondary indexes, unique and foreign-key constraints
are dropped first and re-created at the end (PostgreSQL's "Populating a Database"
advice): re-adding them makes PostgreSQL check every row at once, so a duplicate or a
dangling reference still fails the whole load. The participation trigger
(``db_triggers.py``) is disabled during the load only: the rows satisfy its two rules
by construction (a participant's hours never exceed the activity's; participants come
from the activity's team), and ``demo/tests/test_seed_bulk.py`` checks them with
queries that look for violations. The figures are then computed for every team at
once (``activities.stats_bulk``).
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from activities.models import ActivityStatus
from activities.workdays import LOGGING_DEADLINE_WORKING_DAYS, is_working_day
from demo.bulk_copy import (
    Copier,
    drop_foreign_keys,
    drop_secondary,
    move_sequence,
    reserve_ids,
    restore_secondary,
)
from demo.team_data import HAN_FEMALE, HAN_MALE, HAN_SURNAMES
from teams.models import DEFAULT_CATEGORY_NAMES, Region, ServiceCategory

PROVINCE = "湖南省"
# fmt: off
CITIES = ["长沙市", "株洲市", "湘潭市", "衡阳市", "邵阳市", "岳阳市", "常德市", "张家界市",
          "益阳市", "郴州市", "永州市", "怀化市", "娄底市", "湘西土家族苗族自治州"]
BUREAUS = ["人民政府办公室", "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局",
           "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局",
           "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局",
           "文化旅游广电体育局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
           "市场监督管理局", "统计局", "医疗保障局", "城市管理综合执法局", "林业局", "税务局",
           "机关事务管理局", "信访局", "总工会", "团委", "妇联", "残联", "科协", "档案馆",
           "党校", "融媒体中心", "供销合作社", "行政审批服务局"]
DISTRICTS = ["", "芙蓉区", "天心区", "岳麓区", "开福区", "雨花区", "望城区", "高新区", "经开区",
             "第一县", "第二县", "第三县", "第四县", "第五县", "第六县", "第七县", "第八县",
             "第九县", "第十县", "第十一县", "第十二县", "第十三县", "第十四县", "第十五县",
             "第十六县", "第十七县", "第十八县", "第十九县", "第二十县"]
ETHNICITIES = ["汉族"] * 88 + ["土家族"] * 5 + ["苗族"] * 4 + ["侗族"] * 2 + ["瑶族"]
RANKS = [("county", ["局长", "副局长", "调研员", "党组成员"])] * 8 + \
        [("section", ["科长", "副科长", "主任科员"])] * 22 + \
        [("general", ["科员", "办事员"])] * 55 + [("worker", ["驾驶员", "后勤服务人员"])] * 15
TITLES = [
    ["走访慰问困难群众", "节日慰问孤寡老人", "资助家境困难学生", "爱心捐赠活动"],
    ["学雷锋纪念日志愿服务", "植树节植绿护绿", "国家安全教育日宣传", "扶贫日政策宣传"],
    ["文明交通劝导", "清除小广告和卫生保洁", "公共设施维护", "文明出行宣传"],
    ["结对帮扶走访", "产业帮扶入户调研", "就业帮扶政策宣传"],
    ["驻村点义诊", "科技知识下乡宣讲", "法律知识进村", "消防安全知识进社区"],
    ["火车站旅客引导服务", "春运志愿服务"],
    ["包干区域综治宣传和巡逻", "节日期间安全巡逻"],
]
PLACES = ["城区广场", "火车站", "结对村", "驻村点", "包干街道", "社区服务中心", "敬老院",
          "中小学校", "主要路口"]
ONE_DAY_TENTHS = [15, 20, 20, 25, 30, 30, 30, 35, 40, 40, 45, 50, 60]
# fmt: on
NAMES = {
    "male": [s + g for s in HAN_SURNAMES for g in HAN_MALE],
    "female": [s + g for s in HAN_SURNAMES for g in HAN_FEMALE],
}
MAIN_DEEDS = (
    "<p>服务队由本单位党员干部职工组成，围绕中心工作常年开展扶贫帮困、文明创建、"
    "政策宣讲和平安建设等志愿服务，每次活动登记入账、审核后计入统计。</p>"
)
# The big tables, in load order, with the columns the generator writes.
TEAM_COLUMNS = [
    "id", "name", "slug", "host_unit", "founded_on", "lead_name", "lead_title",
    "lead_consents_to_publication", "recommending_unit", "main_deeds", "is_published",
    "published_on", "publication_source", "responsible_editor", "min_activities_per_month",
    "min_participations_per_member_year", "created_at", "updated_at", "lead_member_id",
    "region_id",
]  # fmt: skip
TEAM_CATEGORY_COLUMNS = ["id", "team_id", "category_id", "position"]
MEMBER_COLUMNS = [
    "id", "volunteer_number", "name", "gender", "ethnicity", "is_party_member",
    "party_joined_on", "cadre_rank", "position", "phone", "email", "registered_on", "left_on",
    "team_id", "user_id", "work_unit", "consents_to_public_name",
]  # fmt: skip
ACTIVITY_COLUMNS = [
    "id", "title", "start_date", "end_date", "hours", "place", "content", "organiser",
    "people_reached", "materials_distributed", "households_visited", "donation_yuan",
    "other_outcomes", "status", "return_reason", "is_late", "submitted_at", "approved_at",
    "created_at", "updated_at", "approved_by_id", "category_id", "created_by_id", "team_id",
]  # fmt: skip
PARTICIPATION_COLUMNS = ["id", "hours", "role", "activity_id", "member_id"]
BIG_TABLES = ["members_member", "activities_activity", "activities_participation"]
PARTICIPATION_TRIGGER = "participation_check"
NULL = r"\N"


class BulkSeedError(Exception):
    """The bulk load cannot run here; the message says why and what to do."""


@dataclass
class BulkResult:
    teams: int = 0
    members: int = 0
    activities: int = 0
    participations: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


# --- Dates --------------------------------------------------------------------------------


class _Calendar:
    """Day ordinals ↔ COPY text, and working days, for the window (fast lookups)."""

    def __init__(self, first: datetime.date, last: datetime.date):
        self.first = first.toordinal()
        days = (last - first).days + 1
        self.text = [(first + datetime.timedelta(days=i)).isoformat() for i in range(days)]
        self.working = [0] * (days + 1)  # working days in [first, first + i)
        for i in range(days):
            day = first + datetime.timedelta(days=i)
            self.working[i + 1] = self.working[i] + is_working_day(day)

    def iso(self, ordinal: int) -> str:
        return self.text[ordinal - self.first]

    def is_late(self, ended: int, submitted: int) -> bool:
        # Working days after the end up to and including the submission day.
        between = self.working[submitted - self.first + 1] - self.working[ended - self.first + 1]
        return between > LOGGING_DEADLINE_WORKING_DAYS


def _tenths(value: int) -> str:
    return f"{value // 10}.{value % 10}"


# --- The generator ------------------------------------------------------------------------


@dataclass
class _Ids:
    team: int
    team_category: int
    member: int
    activity: int
    participation: int


@dataclass
class _Plan:
    teams: int
    members_per_team: int
    years: int
    seed: int
    until: datetime.date
    region_ids: list[int]
    category_ids: list[int]
    calendar: _Calendar
    created_at: str
    reference_members: int

    @property
    def window_start(self) -> datetime.date:
        return datetime.date(self.until.year - self.years + 1, 1, 1)


def _team(plan: _Plan, index: int, ids: _Ids, copier: Copier) -> tuple[int, int, int]:
    """One team with its members, activities and participations; returns the counts."""
    rng = random.Random(f"{plan.seed}:{index}")
    cal = plan.calendar
    ids.team += 1
    team_id = ids.team
    city = index % len(CITIES)
    level, bureau = divmod(index // len(CITIES), len(BUREAUS))
    district = DISTRICTS[level % len(DISTRICTS)]
    round_ = level // len(DISTRICTS)
    host_unit = f"{CITIES[city]}{district}{BUREAUS[bureau]}"
    name = f"{host_unit}党员志愿服务队" + (f"（{round_ + 1}）" if round_ else "")
    window = plan.window_start
    if rng.random() < 0.1:  # founded during the window
        founded = datetime.date(window.year + rng.randrange(plan.years), rng.randint(1, 12), 1)
        founded = min(founded, plan.until.replace(day=1))
    else:
        founded = datetime.date(window.year - rng.randint(1, 4), rng.randint(1, 12), 1)
    founded_ord = founded.toordinal()
    until = plan.until.toordinal()
    kind = rng.random()
    first_activity = max(window.toordinal(), founded_ord + 90)
    last_activity = until
    if kind < 0.05 or first_activity > until:
        last_activity = first_activity - 1  # never logs an activity (or not yet)
    elif kind < 0.10:
        last_activity = rng.randint(first_activity, until)  # stopped part-way
    published = rng.random() < 0.7

    # Members.
    size = max(3, round(plan.members_per_team * rng.uniform(0.6, 1.4)))
    if index == 0:  # the benchmark team: always active, published, a fixed size
        size, published = plan.reference_members, True
        founded = datetime.date(window.year - 2, 3, 1)
        founded_ord = founded.toordinal()
        first_activity, last_activity = window.toordinal(), until
    member_lines = []
    always: list[int] = []  # registered before the first activity, never left
    churn: list[tuple[int, int, int]] = []  # (id, registered, left or +inf)
    far = 10**9
    for k in range(size):
        ids.member += 1
        member_id = ids.member
        if k == 0 or rng.random() < 0.8:
            registered = founded_ord + rng.randint(0, 60)
        else:
            registered = rng.randint(min(founded_ord + 61, until), until)
        registered = min(registered, until)
        left = None
        if k and rng.random() < 0.1:
            left = rng.randint(registered, until)
        if left is None and registered <= founded_ord + 60 and registered < first_activity:
            always.append(member_id)
        else:
            churn.append((member_id, registered, far if left is None else left))
        rank, positions = ("county", RANKS[0][1]) if k == 0 else rng.choice(RANKS)
        female = rng.random() < 0.45
        party = k == 0 or rng.random() < 0.96
        joined = (
            datetime.date(rng.randint(1985, 2020), rng.randint(1, 12), rng.randint(1, 28))
            if party
            else None
        )
        member_lines.append(
            "\t".join(
                [
                    str(member_id),
                    f"43{city:02d}{index:06d}{k:04d}",
                    rng.choice(NAMES["female" if female else "male"]),
                    "female" if female else "male",
                    rng.choice(ETHNICITIES),
                    "t" if party else "f",
                    joined.isoformat() if joined else NULL,
                    rank,
                    BUREAUS[bureau][:20] + rng.choice(positions),
                    f"1{rng.choice(['38', '39', '58', '86', '87'])}{rng.randrange(10**8):08d}",
                    "",
                    _iso(cal, registered),
                    _iso(cal, left) if left is not None else NULL,
                    str(team_id),
                    NULL,
                    BUREAUS[bureau],
                    "f",
                ]
            )
            + "\n"
        )
    lead_id = ids.member - size + 1

    team_line = "\t".join(
        [
            str(team_id),
            name,
            _slug(index, plan.seed),
            host_unit,
            founded.isoformat(),
            "",
            "党组成员",
            "t" if rng.random() < 0.5 else "f",
            f"{PROVINCE}文明办" if rng.random() < 0.3 else f"{CITIES[city]}文明办",
            MAIN_DEEDS,
            "t" if published else "f",
            plan.until.isoformat() if published else NULL,
            "中国文明网" if published else "",
            "",
            "1",
            "10",
            plan.created_at,
            plan.created_at,
            str(lead_id),
            str(plan.region_ids[city]),
        ]
    )
    copier.add("teams_team", TEAM_COLUMNS, [team_line + "\n"])
    copier.add("members_member", MEMBER_COLUMNS, member_lines)
    categories = rng.sample(range(len(plan.category_ids)), rng.randint(3, 7))
    category_lines = []
    for position, category in enumerate(categories):
        ids.team_category += 1
        category_lines.append(
            f"{ids.team_category}\t{team_id}\t{plan.category_ids[category]}\t{position}\n"
        )
    copier.add("teams_teamcategory", TEAM_CATEGORY_COLUMNS, category_lines)

    # Activities and participations.
    activity_lines: list[str] = []
    participation_lines: list[str] = []
    rate = rng.uniform(10, 30)  # activities a year while active
    span = last_activity - first_activity + 1
    count = round(rate * span / 365.25 * rng.uniform(0.85, 1.15)) if span > 0 else 0
    starts = sorted(rng.randint(first_activity, last_activity) for _ in range(count))
    recent = until - 20
    for start in starts:
        days = 1 if rng.random() < 0.9 else rng.choice([2, 2, 3])
        end = min(start + days - 1, until)
        days = end - start + 1
        tenths = rng.choice(ONE_DAY_TENTHS) if days == 1 else days * rng.choice([40, 50, 60])
        category = rng.choice(categories)
        eligible = always + [m for m, reg, left in churn if reg <= start <= left]
        if not eligible:
            continue
        share = rng.uniform(0.35, 0.95) if rng.random() < 0.05 else rng.uniform(0.06, 0.2)
        chosen = rng.sample(eligible, max(1, min(len(eligible), round(size * share))))
        # Workflow: logged a few days after the end, approved a few days later.
        submitted = end + (rng.randint(15, 40) if rng.random() < 0.03 else rng.randint(1, 7))
        approved = submitted + rng.randint(0, 5)
        roll = rng.random()
        if start >= recent and roll < 0.3:
            status, submitted, approved = ActivityStatus.DRAFT, None, None
        elif approved > until or (start >= recent and roll < 0.6):
            status, approved = ActivityStatus.SUBMITTED, None
        elif roll < 0.02:
            status, approved = ActivityStatus.RETURNED, None
        else:
            status = ActivityStatus.APPROVED
        if submitted is not None and submitted > until:
            status, submitted, approved = ActivityStatus.DRAFT, None, None
        ids.activity += 1
        activity_id = ids.activity
        reached = 0 if rng.random() < 0.3 else rng.randint(10, 1500)
        materials = 0 if rng.random() < 0.5 else rng.randint(50, 2000)
        households = 0 if rng.random() < 0.6 else rng.randint(5, 60)
        donation = 0 if rng.random() < 0.9 else rng.randint(5, 100) * 100
        created = _stamp(cal, end, "17:00")
        activity_lines.append(
            "\t".join(
                [
                    str(activity_id),
                    rng.choice(TITLES[category % len(TITLES)]),
                    _iso(cal, start),
                    _iso(cal, end),
                    _tenths(tenths),
                    CITIES[city] + rng.choice(PLACES),
                    "组织党员志愿者开展志愿服务。",
                    host_unit[:100],
                    str(reached),
                    str(materials),
                    str(households),
                    f"{donation}.00",
                    "",
                    status,
                    "请补充参与人员的服务时长。" if status == ActivityStatus.RETURNED else "",
                    "t" if submitted and cal.is_late(end, submitted) else "f",
                    _stamp(cal, submitted, "18:00") if submitted else NULL,
                    _stamp(cal, approved, "10:00") if approved else NULL,
                    created,
                    _stamp(cal, approved, "10:00") if approved else created,
                    NULL,
                    str(plan.category_ids[category]),
                    NULL,
                    str(team_id),
                ]
            )
            + "\n"
        )
        organisers = 1 if len(chosen) < 20 else 1 + len(chosen) // 30
        full = _tenths(tenths)
        pid = ids.participation
        for n, member_id in enumerate(chosen):
            pid += 1
            if tenths >= 20 and rng.random() < 0.1:
                hours = _tenths(tenths - rng.choice([5, 10]))
            else:
                hours = full
            role = "organiser" if n < organisers else "participant"
            participation_lines.append(f"{pid}\t{hours}\t{role}\t{activity_id}\t{member_id}\n")
        ids.participation = pid
    copier.add("activities_activity", ACTIVITY_COLUMNS, activity_lines)
    copier.add("activities_participation", PARTICIPATION_COLUMNS, participation_lines)
    return size, len(activity_lines), len(participation_lines)


def _iso(cal: _Calendar, ordinal: int) -> str:
    return cal.iso(ordinal)


def _stamp(cal: _Calendar, ordinal: int, clock: str) -> str:
    return f"{cal.iso(ordinal)} {clock}:00+08"


# --- The load -----------------------------------------------------------------------------


def bulk_seed(
    *,
    teams: int,
    members_per_team: int,
    years: int,
    seed: int = 1,
    until: datetime.date | None = None,
    reference_members: int = 200,
    figures: bool = True,
    vacuum: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BulkResult:
    """Fill the database with a province's teams; see the module docstring.

    The first team is the benchmarks' reference team (``reference_team_slug``):
    active throughout, published, with exactly ``reference_members`` members.
    Refuses (``BulkSeedError``) on anything but PostgreSQL, and when the province
    is already there (load into a fresh database instead).
    """
    if connection.vendor != "postgresql":
        raise BulkSeedError(
            "seed_bulk 只支持 PostgreSQL（用 COPY 批量写入）；请设置 "
            "DATABASE_URL=postgres://…。 seed_bulk needs PostgreSQL (it loads with COPY); "
            f"this database is {connection.vendor}. Set DATABASE_URL=postgres://…"
        )
    if teams < 1 or members_per_team < 1 or years < 1:
        raise BulkSeedError("teams, members per team and years must each be at least 1.")
    if Region.objects.filter(parent=None, name=PROVINCE).exists():
        raise BulkSeedError(
            f"“{PROVINCE}”已存在：seed_bulk 只能载入一次，请使用新的数据库。 "
            f"{PROVINCE} is already loaded: seed_bulk loads once; use a fresh database."
        )
    say = progress or (lambda message: None)
    until = until or timezone.localdate()
    result = BulkResult()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[name] = round(now - clock, 2)
        clock = now
        say(f"{name}: {result.seconds[name]:.1f} s")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            "LOCK TABLE teams_team, teams_teamcategory, members_member, activities_activity, "
            "activities_participation IN SHARE ROW EXCLUSIVE MODE"
        )
        province = Region.objects.create(name=PROVINCE)
        cities = Region.objects.bulk_create([Region(name=c, parent=province) for c in CITIES])
        categories = [
            ServiceCategory.objects.get_or_create(team=None, name=name)[0]
            for name in DEFAULT_CATEGORY_NAMES
        ]
        window_start = datetime.date(until.year - years + 1, 1, 1)
        plan = _Plan(
            teams=teams,
            members_per_team=members_per_team,
            years=years,
            seed=seed,
            until=until,
            region_ids=[city.pk for city in cities],
            category_ids=[category.pk for category in categories],
            calendar=_Calendar(
                datetime.date(window_start.year - 5, 1, 1), until + datetime.timedelta(days=60)
            ),
            created_at=timezone.now().isoformat(),
            reference_members=reference_members,
        )
        tables = {
            "team": "teams_team",
            "team_category": "teams_teamcategory",
            "member": "members_member",
            "activity": "activities_activity",
            "participation": "activities_participation",
        }
        ids = _Ids(**{key: reserve_ids(cursor, table) for key, table in tables.items()})
        # Check the rows made so far, so the tables can be altered, then defer again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        deferred = [drop_secondary(cursor, table) for table in BIG_TABLES]
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            f"ALTER TABLE activities_participation DISABLE TRIGGER {PARTICIPATION_TRIGGER}"
        )
        lap("prepare")
        copier = Copier(cursor)
        for index in range(teams):
            size, activities, participations = _team(plan, index, ids, copier)
            result.members += size
            result.activities += activities
            result.participations += participations
            if (index + 1) % 1000 == 0:
                say(f"  {index + 1} teams, {result.participations} participations")
        copier.flush()
        result.teams = teams
        lap("generate and copy")
        for table_deferred in deferred:
            restore_secondary(cursor, table_deferred)
        cursor.execute(
            f"ALTER TABLE activities_participation ENABLE TRIGGER {PARTICIPATION_TRIGGER}"
        )
        for key, table in tables.items():
            move_sequence(cursor, table, getattr(ids, key))
        lap("indexes and constraints")
    if vacuum and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for table in ["teams_team", *BIG_TABLES]:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        lap("vacuum analyze")
    else:
        with connection.cursor() as cursor:
            for table in ["teams_team", *BIG_TABLES]:
                cursor.execute(f"ANALYZE {table}")
    if figures:
        from activities.stats_bulk import figures_recompute_all

        # The summary tables' foreign keys are dropped around this first fill and
        # added back, checked by one join each: kept, they queue a deferred check (a
        # look-up and a row lock) for each of the 3.3 million rows at province scale,
        # 23 s of the fill at its commit.
        # (Checks queued in this transaction must run first: a table with pending
        # trigger events cannot be altered.)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            dropped = drop_foreign_keys(cursor, SUMMARY_TABLES)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            figures_recompute_all()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name, definition in dropped:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # Statistics for the tables just filled: without them the planner takes the
        # summary tables for empty (the overview's join went from 1 to 45 ms).
        with connection.cursor() as cursor:
            for table in FIGURE_TABLES:
                cursor.execute(f"ANALYZE {table}")
        lap("figures")
    return result


# The summary tables whose foreign keys the first fill drops and adds back.
SUMMARY_TABLES = ["activities_teamfigures", "activities_memberyearfigures"]


FIGURE_TABLES = [
    "activities_teamfigures",
    "activities_memberyearfigures",
    "activities_teamfiguresstate",
]


def reference_team_slug(seed: int = 1) -> str:
    """The address name of the first team, the benchmarks' reference team."""
    return _slug(0, seed)


def _slug(index: int, seed: int) -> str:
    return f"t{index + 1:05d}-{seed}"
