from django.apps import AppConfig


class ExclusionConfig(AppConfig):
    name = "exclusion"
    verbose_name = "Exclusion assessments and review"
