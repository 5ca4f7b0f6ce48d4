from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("new/", views.call_new, name="call-new"),
    path("new/suggest/", views.suggest, name="call-suggest"),
    path("new/dwelling/", views.dwelling_panel, name="dwelling-panel"),
    path("", views.call_list, name="call-list"),
    path("<int:pk>/", views.call_detail, name="call-detail"),
    path("review/", views.review_queue, name="review-queue"),
    path("rulesets/", views.ruleset_list, name="ruleset-list"),
    path("rulesets/<int:pk>/", views.ruleset_detail, name="ruleset-detail"),
    path("rulesets/<int:pk>/publish/", views.ruleset_publish, name="ruleset-publish"),
]
