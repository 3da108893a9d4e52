"""Browser views of the patients app (thin: they call selectors and services)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from patients import selectors


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = selectors.patient_list(user=request.user)[:200]
    return render(request, "patients/patient_list.html", {"patients": patients})
