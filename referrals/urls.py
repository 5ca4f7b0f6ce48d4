from django.urls import path

from . import policy_views, views

app_name = "referrals"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.referral_new, name="new"),
    path("review/", views.weekly_review, name="review"),
    path("policy/", policy_views.policy_list, name="policy-list"),
    path("policy/<int:pk>/", policy_views.policy_detail, name="policy-detail"),
    path("policy/<int:pk>/publish/", policy_views.policy_publish, name="policy-publish"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/assign/", views.referral_assign, name="assign"),
    path("<int:pk>/status/", views.referral_transition, name="transition"),
    path("<int:pk>/notes/", views.note_add, name="note-add"),
    path("<int:pk>/actions/", views.action_add, name="action-add"),
    path("<int:pk>/plan/", views.plan_publish, name="plan-publish"),
    path("<int:pk>/review/", views.review_record, name="review-record"),
]
