from django.urls import path
from rest_framework.routers import DefaultRouter

from .impact import FarmingtonImpactView
from .views import ReferralViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    path(
        "reports/farmington-impact/",
        FarmingtonImpactView.as_view(),
        name="farmington-impact",
    ),
    *router.urls,
]
