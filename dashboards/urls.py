from django.urls import path

from . import impact_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("busiest/", views.busiest, name="busiest"),
    path("pack/", views.pack, name="pack"),
    path("export/", views.export_shared, name="export-shared"),
    path("export/<slug:table>.csv", views.export, name="export"),
    path("impact/", impact_views.impact_page, name="impact"),
    path("impact/print/", impact_views.impact_print, name="impact-print"),
    path("impact/export.csv", impact_views.impact_export, name="impact-export"),
]
