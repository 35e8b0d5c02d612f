from django.apps import AppConfig


class ProcoreSandboxConfig(AppConfig):
    name = "procore_sandbox"
    verbose_name = "Procore sandbox"
    default_auto_field = "django.db.models.BigAutoField"
