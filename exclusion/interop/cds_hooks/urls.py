"""CDS Hooks 2.0 routes under /cds-services/ (discovery itself, /cds-services without a slash, is routed by
the root URLconf: CDS clients call both without trailing slashes)."""

from django.urls import path

from exclusion.interop.cds_hooks import views

urlpatterns = [
    path("cno-exclusion", views.ServiceView.as_view(), name="cds-service"),
    path("cno-exclusion/feedback", views.FeedbackView.as_view(), name="cds-feedback"),
]
