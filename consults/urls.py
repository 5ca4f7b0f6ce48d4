from django.urls import path

from . import views

app_name = "consults"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("ask/", views.ask_new, name="ask-new"),
    path("calls/<int:pk>/", views.call_panel, name="call-panel"),
    path("calls/<int:pk>/ask/", views.ask, name="ask"),
    path("calls/<int:pk>/decision/", views.decide, name="decide"),
]
