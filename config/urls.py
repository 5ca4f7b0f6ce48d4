from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# The API first: intake is the busiest request, and each pattern before it is tried.
urlpatterns = [
    path("api/", include("config.api_router")),
    path("", include("core.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("calls/", include("triage.urls")),
    path("dwellings/", include("callers.urls")),
    path("referrals/", include("referrals.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("consults/", include("consults.urls")),
    path("training/", include("training.urls")),
    path("consolidation/", include("consolidation.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from a URL, not inline (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="core/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

# JSON errors under /api/, the HTML templates elsewhere.
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
