"""A void document's export lets go of its Procore id (payment applications, direct costs)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("files_erp", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="fileexport",
            name="released_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="When the ERP let go of the Procore id (the document is void there): "
                "exporting the Procore object again sends a new file.",
            ),
        ),
    ]
