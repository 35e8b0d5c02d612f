from django.apps import AppConfig


class FilesErpConfig(AppConfig):
    name = "erp_adapters.files"
    label = "files_erp"
    verbose_name = "File-exchange ERP"
    default_auto_field = "django.db.models.BigAutoField"
