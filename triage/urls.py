from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("new/", views.call_new, name="call-new"),
    path("", views.call_list, name="call-list"),
    path("review/", views.review_queue, name="review-queue"),
]
