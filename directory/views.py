"""The public home: the directory of published teams
(docs/domain.md § The public team profile, "The public directory").

``/`` is the directory for visitors. Signed-in users who open it plainly keep going to
their work (``volunteer_site.views.home``); with a directory parameter in the address
(a profile's "teams of this region" link, a search) they get the directory too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from directory.selectors import (
    SORTS,
    DirectoryQuery,
    RegionTree,
    category_options,
    directory_page,
)
from volunteer_site import views as site_views

DIRECTORY_PARAMETERS = {"q", "region", "category", "sort", "page"}


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and not DIRECTORY_PARAMETERS & request.GET.keys():
        return site_views.home(request)
    return directory(request)


def directory(request: HttpRequest) -> HttpResponse:
    tree = RegionTree.load()
    categories = category_options()
    query = DirectoryQuery.from_query(request.GET, tree=tree, categories=categories)
    page = directory_page(query, tree=tree, page_number=request.GET.get("page"))
    for team in page.object_list:
        team.region_path = tree.path(team.region_id)
    return render(
        request,
        "directory/directory.html",
        {
            "query": query,
            "region_options": tree.options,
            "category_options": categories,
            "sort_options": SORTS.items(),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
            "page_query": urlencode(query.params()),
        },
    )
