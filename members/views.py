from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from activities.models import ActivityStatus, Participation
from teams.access import roles_for


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    """A volunteer's own service record: approved activities only."""
    member = roles_for(request.user).member
    if member is None:
        raise Http404
    year = timezone.localdate().year
    records = (
        Participation.objects.filter(member=member, activity__status=ActivityStatus.APPROVED)
        .select_related("activity", "activity__category")
        .order_by("-activity__start_date", "-activity__pk")
    )
    this_year = records.filter(activity__start_date__year=year).aggregate(
        count=Count("pk"), hours=Sum("hours")
    )
    all_time = records.aggregate(count=Count("pk"), hours=Sum("hours"))
    return render(
        request,
        "members/my_record.html",
        {
            "member": member,
            "records": records,
            "year": year,
            "this_year": this_year,
            "all_time": all_time,
            "target": member.team.min_participations_per_member_year,
        },
    )
