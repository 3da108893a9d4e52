from django.urls import path

from patients.accounts import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.language_switch, name="language"),
    path("otp/", views.otp_step, name="otp"),
    path("password/", views.AccountPasswordChangeView.as_view(), name="password_change"),
    path("lockouts/", views.lockout_list, name="lockouts"),
    path("lockouts/<int:user_id>/unlock/", views.lockout_clear, name="unlock"),
]
