from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from volunteer_site import drafts, views
from volunteer_site.forms import LoginForm

urlpatterns = [
    # The public directory for visitors; signed-in users go on to their work (directory/).
    path("", include("directory.urls")),
    path(
        "accounts/login/",
        # Django's, remembering who logged in so a form kept when the session
        # expired goes back to them only (volunteer_site/drafts.py).
        drafts.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("healthz", views.healthz, name="healthz"),
    # Without CSRF: the switch only sets the language cookie, and the form in the
    # layout must carry no per-visitor token so that public pages can be cached
    # whole (profiles/cache.py).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("regions/", include("regions.urls")),
    # These define full paths (team-scoped pages live under /teams/<slug>/).
    path("", include("dashboard.urls")),
    path("", include("profiles.urls")),
    path("", include("applications.urls")),
    path("", include("compliance.urls")),
    path("", include("members.urls")),
    path("", include("records.urls")),
    path("", include("activities.urls")),
    path("", include("members.import_urls")),
    path("", include("activities.import_urls")),
    path("", include("accounts.urls")),
    path("", include("certificates.urls")),
    path("", include("planning.urls")),
    path("", include("signups.urls")),
    path("", include("attendance.urls")),
    path("", include("rosters.urls")),
]

# A lost database connection outside a view is "try again" (503) too.
handler500 = "volunteer_site.db_faults.server_error"
