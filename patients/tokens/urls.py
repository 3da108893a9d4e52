from django.urls import path

from patients.tokens import views as token_views

app_name = "tokens"
urlpatterns = [
    path("", token_views.tokens, name="list"),
    path("<int:token_id>/revoke/", token_views.token_revoke_view, name="revoke"),
]
