"""One router for every app's API under /api/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
router.include_root_view = False

urlpatterns = router.urls
