from django.urls import path  # noqa: F401 - the review queue adds its routes here

app_name = "review"
urlpatterns: list = []
