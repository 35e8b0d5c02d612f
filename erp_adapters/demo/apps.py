from django.apps import AppConfig


class DemoErpConfig(AppConfig):
    name = "erp_adapters.demo"
    label = "demo_erp"
    verbose_name = "Demo ERP"
    default_auto_field = "django.db.models.BigAutoField"
