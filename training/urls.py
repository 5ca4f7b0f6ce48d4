from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.home, name="home"),
    path("practice/", views.practice, name="practice"),
    path("practice/start/", views.practice_start, name="practice-start"),
    path("practice/stop/", views.practice_stop, name="practice-stop"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("results/", views.results, name="results"),
    path("scenarios/", views.scenario_list, name="scenario-list"),
    path("scenarios/new/", views.scenario_new, name="scenario-new"),
]
