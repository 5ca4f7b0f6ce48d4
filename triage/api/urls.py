from django.urls import path

from .views import EvaluateView

urlpatterns = [
    path("triage/evaluate/", EvaluateView.as_view(), name="triage-evaluate"),
]
