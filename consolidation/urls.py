from django.urls import path

from . import views

app_name = "consolidation"
urlpatterns = [
    path("", views.possible_list, name="possible-list"),
    path("pairs/<int:pk>/confirm/", views.possible_confirm, name="possible-confirm"),
    path("pairs/<int:pk>/reject/", views.possible_reject, name="possible-reject"),
    path("merges/", views.merge_list, name="merge-list"),
    path("merges/<int:pk>/split/", views.merge_split, name="merge-split"),
]
