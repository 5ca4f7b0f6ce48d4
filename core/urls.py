from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("account/2fa/", views.otp_setup, name="otp-setup"),
    path("account/2fa/verify/", views.otp_verify, name="otp-verify"),
    path("processing-log/", views.log_search, name="log-search"),
    path("processing-log/export/", views.log_export, name="log-export"),
]
