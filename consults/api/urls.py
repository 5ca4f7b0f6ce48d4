from django.urls import path

from .views import CallConsultsView, ConsultAnswerView, ConsultClaimView, ConsultListView

urlpatterns = [
    path("calls/<int:pk>/consults/", CallConsultsView.as_view(), name="call-consults"),
    path("consults/", ConsultListView.as_view(), name="consult-list"),
    path("consults/<int:pk>/claim/", ConsultClaimView.as_view(), name="consult-claim"),
    path("consults/<int:pk>/answer/", ConsultAnswerView.as_view(), name="consult-answer"),
]
