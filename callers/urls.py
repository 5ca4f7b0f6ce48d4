from django.urls import path

from . import views

app_name = "callers"
urlpatterns = [
    path("", views.dwelling_search, name="dwelling-search"),
    path("<int:pk>/", views.dwelling_detail, name="dwelling-detail"),
]
