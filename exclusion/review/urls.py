from django.urls import path

from exclusion.review import views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("flags/<int:flag_id>/", views.flag_detail, name="flag"),
    path("flags/<int:flag_id>/decide/", views.flag_decide_view, name="decide"),
    path("flags/<int:flag_id>/revise/", views.flag_revise_view, name="revise"),
    path("flags/<int:flag_id>/comment/", views.flag_comment_view, name="comment"),
    path("flags/<int:flag_id>/assign/", views.flag_assign_view, name="assign"),
    path("episodes/<int:episode_id>/sign-off/", views.episode_sign_off_view, name="sign_off"),
]
