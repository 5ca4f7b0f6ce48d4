"""One router for every app's API under /api/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from triage.api.views import CallViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("calls", CallViewSet, basename="call")

# The calls first: every intake resolves its URL, and a miss costs a pattern tried.
urlpatterns = [
    *router.urls,
    path("", include("triage.api.urls")),
    path("", include("referrals.api.urls")),
    path("", include("callers.api.urls")),
    path("", include("consults.api.urls")),
    path("", include("training.api.urls")),
]
