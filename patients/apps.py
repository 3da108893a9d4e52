from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and episodes"

    def ready(self) -> None:
        from patients import audit

        audit.connect_signals()
