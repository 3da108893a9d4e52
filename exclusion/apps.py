from django.apps import AppConfig


class ExclusionConfig(AppConfig):
    name = "exclusion"
    verbose_name = "Exclusion assessments and review"

    def ready(self) -> None:
        from exclusion import receivers
        from exclusion.review import tasks as review_tasks  # noqa: F401 - registers the tasks by name
        from exclusion.summaries import tasks  # noqa: F401

        receivers.connect()
