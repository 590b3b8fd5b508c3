"""What the public directory reads: the published teams, searched, filtered, sorted and
paged, each with the all-time figures its profile shows
(docs/domain.md § The public team profile, "The public directory").

The figures come from the summary tables (``TeamFigures``, the all-time row, joined
with a ``FilteredRelation``), exactly the row the profile reads in
``profiles.views._figures``: a card and its profile never disagree. A page of the
directory costs the same few queries for 20 teams as for 10,000.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypinyin import Style, lazy_pinyin

from activities.models import PeriodKind
from teams.models import Region, ServiceCategory, Team, TeamCategory
from volunteer_site.names import normalise_name

PAGE_SIZE = 20
# No team name or host unit is longer (Team.name, Team.host_unit: 100 characters).
QUERY_MAX_LENGTH = 100
# Far more digits than any id: a longer "id" is no id, and int() is never asked to read it.
ID_MAX_DIGITS = 18

# The sorts offered, by key. Figures sort highest first (a team not yet computed last);
# ties by name, then by id.
SORTS = {
    "hours": gettext_lazy("Most hours first"),
    "activities": gettext_lazy("Most activities first"),
    "newest": gettext_lazy("Founded: newest first"),
    "oldest": gettext_lazy("Founded: oldest first"),
    "name": gettext_lazy("Name (pinyin)"),
}
DEFAULT_SORT = "hours"

_ORDERS = {
    "hours": [F("all_activity_hours").desc(nulls_last=True)],
    "activities": [F("all_activities").desc(nulls_last=True)],
    "newest": [F("founded_on").desc()],
    "oldest": [F("founded_on").asc()],
}


# --- The region tree and the categories offered ---------------------------------------------


@dataclass(frozen=True)
class RegionOption:
    pk: int
    name: str
    depth: int
    path: str  # 西藏自治区 > 日喀则市
    teams: int  # published teams in this region and every region below it

    @property
    def label(self) -> str:
        """Indented by depth with ideographic spaces: a tree in a plain <select>."""
        return "\u3000" * self.depth + self.name


@dataclass
class RegionTree:
    """The regions that hold a published team, with their ancestors, in tree order.

    Two queries: every region (a small table), and the published teams per region.
    """

    options: list[RegionOption]
    children: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RegionTree:
        regions = {
            pk: (name, parent)
            for pk, name, parent in Region.objects.values_list("pk", "name", "parent_id")
        }
        own = dict(
            Team.objects.published()
            .order_by()
            .values("region_id")
            .annotate(n=Count("pk"))
            .values_list("region_id", "n")
        )
        children: dict[int | None, list[int]] = {}
        for pk, (_name, parent) in regions.items():
            children.setdefault(parent if parent in regions else None, []).append(pk)
        for siblings in children.values():
            siblings.sort(key=lambda pk: (name_sort_key(regions[pk][0]), pk))

        totals: dict[int, int] = {}

        def total(pk: int) -> int:
            totals[pk] = own.get(pk, 0) + sum(total(child) for child in children.get(pk, []))
            return totals[pk]

        for root in children.get(None, []):
            total(root)

        options: list[RegionOption] = []

        def walk(parent: int | None, depth: int, path: str) -> None:
            for pk in children.get(parent, []):
                if not totals.get(pk):
                    continue  # no published team here or below: nothing to find
                name = regions[pk][0]
                full = f"{path} > {name}" if path else name
                options.append(RegionOption(pk, name, depth, full, totals[pk]))
                walk(pk, depth + 1, full)

        walk(None, 0, "")
        shown = {option.pk for option in options}
        return cls(
            options=options,
            children={pk: [c for c in kids if c in shown] for pk, kids in children.items() if pk},
        )

    def get(self, pk: int | None) -> RegionOption | None:
        return next((option for option in self.options if option.pk == pk), None)

    def subtree(self, pk: int) -> set[int]:
        found, frontier = {pk}, [pk]
        while frontier:
            frontier = [child for node in frontier for child in self.children.get(node, [])]
            found.update(frontier)
        return found

    def path(self, pk: int) -> str:
        option = self.get(pk)
        return option.path if option else ""


@dataclass(frozen=True)
class CategoryOption:
    pk: int
    name: str


def category_options() -> list[CategoryOption]:
    """The service categories some published team lists among its regular projects, one
    per name (a team's own category may share a name with another team's), in the
    order categories were created: the shared seven first, as the reference lists them."""
    seen: dict[str, int] = {}
    listed = (
        ServiceCategory.objects.filter(
            Exists(TeamCategory.objects.filter(category=OuterRef("pk"), team__is_published=True))
        )
        .order_by("pk")
        .values_list("pk", "name")
    )
    for pk, name in listed:
        seen.setdefault(name, pk)
    return [CategoryOption(pk, name) for name, pk in seen.items()]


# --- The visitor's choices, checked -----------------------------------------------------------


def clean_id(value: str | None) -> int | None:
    """An id from the query string: digits only, full-width ones folded (NFKC), or None."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text or len(text) > ID_MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


@dataclass(frozen=True)
class DirectoryQuery:
    """The directory's ?q=&region=&category=&sort= parameters, checked.

    A value that cannot be used is dropped with a ``notice`` saying so, and the page
    shows what it can; nothing a visitor types makes it fail.
    """

    q: str = ""
    region: RegionOption | None = None
    category: CategoryOption | None = None
    sort: str = DEFAULT_SORT
    notices: tuple[str, ...] = ()

    @classmethod
    def from_query(
        cls, query: Mapping[str, str], *, tree: RegionTree, categories: list[CategoryOption]
    ) -> DirectoryQuery:
        notices = []
        q = normalise_name(query.get("q") or "")
        if len(q) > QUERY_MAX_LENGTH:
            q = q[:QUERY_MAX_LENGTH]
            notices.append(
                _("The search text was too long: only its first %(count)d characters were used.")
                % {"count": QUERY_MAX_LENGTH}
            )
        region = None
        if query.get("region"):
            region = tree.get(clean_id(query.get("region")))
            if region is None:
                notices.append(
                    _("The region chosen has no published teams: teams of every region are shown.")
                )
        category = None
        if query.get("category"):
            wanted = clean_id(query.get("category"))
            category = next((c for c in categories if c.pk == wanted), None)
            if category is None:
                notices.append(
                    _(
                        "No published team lists the service chosen: teams of every service "
                        "are shown."
                    )
                )
        sort = query.get("sort") or DEFAULT_SORT
        return cls(
            q=q,
            region=region,
            category=category,
            sort=sort if sort in SORTS else DEFAULT_SORT,
            notices=tuple(notices),
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.region or self.category)

    def params(self, **extra) -> dict[str, str]:
        """The parameters as a query string's items, empty ones left out."""
        items = {
            "q": self.q,
            "region": self.region.pk if self.region else "",
            "category": self.category.pk if self.category else "",
            "sort": self.sort if self.sort != DEFAULT_SORT else "",
        } | extra
        return {key: str(value) for key, value in items.items() if value not in ("", None)}


# --- The teams ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=20_000)
def name_sort_key(name: str) -> tuple[str, str]:
    """A name's place in a list sorted by pinyin (拉萨 before 日喀则), the same on every
    database; the name itself breaks ties between names read alike."""
    return " ".join(lazy_pinyin(name, style=Style.TONE3)).lower(), name


def matching_teams(query: DirectoryQuery, *, tree: RegionTree) -> QuerySet[Team]:
    """The published teams the query asks for (searched and filtered), unsorted."""
    teams = Team.objects.published()
    if query.q:
        # icontains escapes % and _; it folds case on SQLite (ASCII) and PostgreSQL alike.
        teams = teams.filter(Q(name__icontains=query.q) | Q(host_unit__icontains=query.q))
    if query.region:
        teams = teams.filter(region_id__in=tree.subtree(query.region.pk))
    if query.category:
        teams = teams.filter(
            Exists(
                TeamCategory.objects.filter(team=OuterRef("pk"), category__name=query.category.name)
            )
        )
    return teams


def directory_teams(query: DirectoryQuery, *, tree: RegionTree) -> QuerySet[Team]:
    """``matching_teams`` with the all-time figures their profiles show
    (``all_activities``, ``all_activity_hours``, ``all_volunteers_at_end``; None before
    a team's first recompute) and whether they are being updated (``figures_stale``),
    in the order chosen."""
    return (
        matching_teams(query, tree=tree)
        .defer("main_deeds")  # the profile's long text: not on a card
        .annotate(all_row=FilteredRelation("figures", condition=Q(figures__kind=PeriodKind.ALL)))
        .annotate(
            all_activities=F("all_row__activities"),
            all_activity_hours=F("all_row__activity_hours"),
            all_volunteers_at_end=F("all_row__volunteers_at_end"),
            # As on the profile: a change not yet counted says so ("being updated").
            figures_stale=F("figures_state__stale"),
        )
        .order_by(*_ORDERS.get(query.sort, []), "name", "pk")
    )


def directory_page(query: DirectoryQuery, *, tree: RegionTree, page_number) -> Page:
    """The page of teams to show (PAGE_SIZE a page; a page number that is no number is
    the first page, one past the end the last).

    Sorted by name, the order is pinyin's, worked out here: the matching teams' ids and
    names are read (one narrow query), sorted, and only the page's teams are read whole.
    """
    teams = directory_teams(query, tree=tree)
    if query.sort != "name":
        return Paginator(teams, PAGE_SIZE).get_page(page_number)
    names = matching_teams(query, tree=tree).order_by().values_list("pk", "name")
    ids = [pk for pk, name in sorted(names, key=lambda row: (name_sort_key(row[1]), row[0]))]
    page = Paginator(ids, PAGE_SIZE).get_page(page_number)
    by_id = {team.pk: team for team in teams.filter(pk__in=page.object_list)}
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
    return page
