from django.apps import AppConfig


class ExclusionConfig(AppConfig):
    name = "exclusion"
    verbose_name = "Exclusion assessments and review"

    def ready(self) -> None:
        from exclusion import receivers
        from exclusion.summaries import tasks  # noqa: F401 - registers the tasks by name

        receivers.connect()
