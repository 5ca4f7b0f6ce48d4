from rest_framework.routers import DefaultRouter

from .views import ReferralViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = router.urls
