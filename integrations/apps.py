from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from integrations.models import Company, Connection
        from integrations.services.webhooks import _forget_on_change

        for model in (Company, Connection):
            post_save.connect(_forget_on_change, sender=model, dispatch_uid=f"forget-{model}")
            post_delete.connect(_forget_on_change, sender=model, dispatch_uid=f"forget-d-{model}")

        post_migrate.connect(_ensure_schedules, sender=self, dispatch_uid="integrations-schedules")


def _ensure_schedules(sender, **kwargs) -> None:
    from integrations.services.sweeper import sweeper_schedule_ensure

    sweeper_schedule_ensure()
