from typing import Any

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from integrations.handlers.registry import handlers_discover
        from integrations.models import Company, Connection

        handlers_discover()
        for model in (Company, Connection):
            post_save.connect(_forget_credentials, sender=model, dispatch_uid=f"forget-{model}")
            post_delete.connect(_forget_credentials, sender=model, dispatch_uid=f"forget-d-{model}")
        post_migrate.connect(_ensure_schedules, sender=self, dispatch_uid="integrations-schedules")


def _forget_credentials(sender: type, instance: Any, **kwargs: Any) -> None:
    """A company or connection changed in this process: its webhook secrets may have too."""
    from integrations.selectors.webhooks import webhook_credentials_forget

    company = instance if hasattr(instance, "procore_company_id") else instance.company
    webhook_credentials_forget(company.procore_company_id)


def _ensure_schedules(sender: AppConfig, **kwargs: Any) -> None:
    from integrations.services.sweeper import schedules_ensure

    schedules_ensure()
