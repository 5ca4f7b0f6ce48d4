from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("busiest/", views.busiest, name="busiest"),
    path("pack/", views.pack, name="pack"),
    path("export/", views.export_shared, name="export-shared"),
    path("export/<slug:table>.csv", views.export, name="export"),
]
