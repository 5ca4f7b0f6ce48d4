from django.urls import path

from .views import AttemptCreateView, ResultsView, ScenarioListView

urlpatterns = [
    path("training/scenarios/", ScenarioListView.as_view(), name="training-scenario-list"),
    path(
        "training/scenarios/<int:pk>/attempts/",
        AttemptCreateView.as_view(),
        name="training-attempt-create",
    ),
    path("training/results/", ResultsView.as_view(), name="training-results"),
]
