"""What an alert was sent for becomes the sender's own words (kind, id, label) instead of a
link to another app's table; answers get a note; secrets leave the frozen contact trees.

Also: the content types of the moved models follow them to ``alerts`` (permissions granted
on them keep working).
"""

from django.conf import settings
from django.db import migrations, models

MOVED = [
    "alert",
    "alerttarget",
    "delivery",
    "acknowledgement",
    "escalationpolicy",
    "historicalalert",
    "historicalescalationpolicy",
]
# ContentType model name of each sender before alerts knew nothing of them → its kind.
KIND_OF_MODEL = {
    "circular": "circular",
    "activationdecision": "decision",
    "hqconvening": "convening",
    "incident": "incident",
}


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if ContentType.objects.filter(app_label="alerts", model=model).exists():
            continue
        ContentType.objects.filter(app_label="emergency_hq", model=model).update(
            app_label="alerts"
        )


def keep_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="alerts", model__in=MOVED).update(
        app_label="emergency_hq"
    )


def sources_from_content_types(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    Circular = apps.get_model("bulletin", "Circular")
    numbers = dict(Circular.objects.values_list("pk", "number"))
    for alert in Alert.objects.exclude(source_type=None).select_related("source_type"):
        kind = KIND_OF_MODEL.get(alert.source_type.model, alert.source_type.model)
        label = ""
        if kind == "circular":
            number = numbers.get(int(alert.source_id)) if alert.source_id.isdigit() else None
            label = f"通達 {number} / Circular {number}" if number else ""
        Alert.objects.filter(pk=alert.pk).update(source_kind=kind[:32], source_label=label)


def secrets_out_of_snapshots(apps, schema_editor):
    AlertTarget = apps.get_model("alerts", "AlertTarget")
    for target in AlertTarget.objects.filter(snapshot__has_key="webhooks").iterator():
        hooks = target.snapshot.get("webhooks") or []
        if any("secret" in h for h in hooks):
            target.snapshot["webhooks"] = [
                {k: v for k, v in h.items() if k != "secret"} for h in hooks
            ]
            AlertTarget.objects.filter(pk=target.pk).update(snapshot=target.snapshot)


class Migration(migrations.Migration):

    dependencies = [
        ("alerts", "0001_initial"),
        ("emergency_hq", "0003_alerts_moved_out"),
        ("bulletin", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(move_content_types, keep_content_types),
        migrations.AddField(
            model_name="acknowledgement",
            name="note",
            field=models.CharField(blank=True, max_length=500, verbose_name="note"),
        ),
        migrations.AddField(
            model_name="alert",
            name="source_kind",
            field=models.CharField(blank=True, max_length=32, verbose_name="sent for"),
        ),
        migrations.AddField(
            model_name="alert",
            name="source_label",
            field=models.CharField(blank=True, max_length=200, verbose_name="sent for"),
        ),
        migrations.AddField(
            model_name="historicalalert",
            name="source_kind",
            field=models.CharField(blank=True, max_length=32, verbose_name="sent for"),
        ),
        migrations.AddField(
            model_name="historicalalert",
            name="source_label",
            field=models.CharField(blank=True, max_length=200, verbose_name="sent for"),
        ),
        migrations.RunPython(sources_from_content_types, migrations.RunPython.noop),
        migrations.RunPython(secrets_out_of_snapshots, migrations.RunPython.noop),
        migrations.RemoveField(model_name="alert", name="source_type"),
        migrations.RemoveField(model_name="historicalalert", name="source_type"),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(fields=["source_kind", "source_id"], name="alert_source"),
        ),
    ]
