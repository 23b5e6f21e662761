"""The alert models now live in the ``alerts`` app (same tables): the HQ's links point there."""

import django.db.models.deletion
from django.db import migrations, models


def _alert_link(db_constraint=True, on_delete=django.db.models.deletion.PROTECT):
    kwargs = {"db_constraint": False} if not db_constraint else {}
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=on_delete,
        related_name="+",
        to="alerts.alert",
        **kwargs,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("emergency_hq", "0002_incidents"),
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="hqconvening", name="alert", field=_alert_link()
                ),
                migrations.AlterField(
                    model_name="activationdecision", name="alert", field=_alert_link()
                ),
                migrations.AlterField(
                    model_name="historicalhqconvening",
                    name="alert",
                    field=_alert_link(
                        db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING
                    ),
                ),
                migrations.DeleteModel(name="Acknowledgement"),
                migrations.DeleteModel(name="Delivery"),
                migrations.DeleteModel(name="AlertTarget"),
                migrations.DeleteModel(name="HistoricalAlert"),
                migrations.DeleteModel(name="Alert"),
                migrations.DeleteModel(name="HistoricalEscalationPolicy"),
                migrations.DeleteModel(name="EscalationPolicy"),
            ],
        ),
    ]
