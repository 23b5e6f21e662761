"""Alerts become an app of their own; their tables and rows stay where they are.

The models move in the migration state only (``SeparateDatabaseAndState``): the tables keep
their names (``db_table``), so no row is copied, moved or lost. The emergency HQ's
``0003_alerts_moved_out`` removes the models from its own state after this.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("organizations", "0002_catalogue"),
        ("emergency_hq", "0002_incidents"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='EscalationPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                        ('step_minutes', models.JSONField(default=list, help_text='Minutes to wait for an acknowledgement at each step before alerting the next order of contacts, e.g. [10, 15, 30]; the last value repeats.', verbose_name='minutes per step')),
                        ('max_steps', models.PositiveSmallIntegerField(default=3, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(20)], verbose_name='maximum steps')),
                    ],
                    options={
                        'db_table': 'emergency_hq_escalationpolicy',
                        'verbose_name': 'escalation policy',
                        'verbose_name_plural': 'escalation policies',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Alert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject_ja', models.CharField(max_length=200, verbose_name='subject (Japanese)')),
                        ('subject_en', models.CharField(blank=True, max_length=200, verbose_name='subject (English)')),
                        ('body_ja', models.TextField(verbose_name='message (Japanese)')),
                        ('body_en', models.TextField(blank=True, verbose_name='message (English)')),
                        ('source_id', models.CharField(blank=True, max_length=64)),
                        ('requires_ack', models.BooleanField(default=True, verbose_name='requires acknowledgement')),
                        ('deadline', models.DateTimeField(blank=True, null=True, verbose_name='answer by')),
                        ('is_drill', models.BooleanField(default=False, verbose_name='drill')),
                        ('targeting', models.JSONField(blank=True, default=dict, verbose_name='targets')),
                        ('resend_round', models.PositiveSmallIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype')),
                        ('policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='alerts', to='alerts.escalationpolicy', verbose_name='escalation policy')),
                    ],
                    options={
                        'db_table': 'emergency_hq_alert',
                        'verbose_name': 'alert',
                        'verbose_name_plural': 'alerts',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='AlertTarget',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('snapshot', models.JSONField(default=dict)),
                        ('last_step', models.PositiveSmallIntegerField(default=1)),
                        ('current_step', models.PositiveSmallIntegerField(default=1)),
                        ('escalate_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='first acknowledged')),
                        ('answer', models.CharField(blank=True, choices=[('confirmed', 'Confirmed'), ('working', 'Working on it'), ('need_support', 'Need support')], max_length=16, verbose_name='answer')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='last answered')),
                        ('answered_by', models.CharField(blank=True, max_length=200, verbose_name='answered by')),
                        ('late', models.BooleanField(default=False, verbose_name='late')),
                        ('unreachable', models.BooleanField(default=False, verbose_name='unreachable')),
                        ('alert', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='alerts.alert')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='alert_targets', to='organizations.organization')),
                    ],
                    options={
                        'db_table': 'emergency_hq_alerttarget',
                        'ordering': ['organization__code'],
                    },
                ),
                migrations.CreateModel(
                    name='Acknowledgement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('answer', models.CharField(choices=[('confirmed', 'Confirmed'), ('working', 'Working on it'), ('need_support', 'Need support')], max_length=16, verbose_name='answer')),
                        ('contact_key', models.BigIntegerField(blank=True, null=True)),
                        ('answered_by', models.CharField(max_length=200)),
                        ('via', models.CharField(max_length=16)),
                        ('late', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('target', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='alerts.alerttarget')),
                    ],
                    options={
                        'db_table': 'emergency_hq_acknowledgement',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('step', models.PositiveSmallIntegerField(default=1)),
                        ('resend_round', models.PositiveSmallIntegerField(default=0)),
                        ('channel', models.CharField(choices=[('email', 'E-mail'), ('webhook', 'Webhook'), ('sms', 'SMS')], max_length=16)),
                        ('contact_key', models.BigIntegerField(default=0)),
                        ('webhook_key', models.BigIntegerField(default=0)),
                        ('recipient', models.CharField(max_length=200, verbose_name='recipient')),
                        ('address', models.CharField(max_length=500, verbose_name='address')),
                        ('language', models.CharField(default='ja', max_length=2)),
                        ('status', models.CharField(choices=[('held', 'Waiting for escalation'), ('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed'), ('cancelled', 'Not needed')], default='queued', max_length=16)),
                        ('due_at', models.DateTimeField(blank=True, null=True)),
                        ('enqueued_at', models.DateTimeField(blank=True, null=True)),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('claimed_by', models.CharField(blank=True, max_length=120)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, max_length=500, verbose_name='reason')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('alert', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='alerts.alert')),
                        ('target', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='alerts.alerttarget')),
                    ],
                    options={
                        'db_table': 'emergency_hq_delivery',
                        'ordering': ['target_id', 'step', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalAlert',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('subject_ja', models.CharField(max_length=200, verbose_name='subject (Japanese)')),
                        ('subject_en', models.CharField(blank=True, max_length=200, verbose_name='subject (English)')),
                        ('body_ja', models.TextField(verbose_name='message (Japanese)')),
                        ('body_en', models.TextField(blank=True, verbose_name='message (English)')),
                        ('source_id', models.CharField(blank=True, max_length=64)),
                        ('requires_ack', models.BooleanField(default=True, verbose_name='requires acknowledgement')),
                        ('deadline', models.DateTimeField(blank=True, null=True, verbose_name='answer by')),
                        ('is_drill', models.BooleanField(default=False, verbose_name='drill')),
                        ('targeting', models.JSONField(blank=True, default=dict, verbose_name='targets')),
                        ('resend_round', models.PositiveSmallIntegerField(default=0)),
                        ('created_at', models.DateTimeField(blank=True, db_index=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('policy', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='alerts.escalationpolicy', verbose_name='escalation policy')),
                        ('source_type', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contenttypes.contenttype')),
                    ],
                    options={
                        'db_table': 'emergency_hq_historicalalert',
                        'verbose_name': 'historical alert',
                        'verbose_name_plural': 'historical alerts',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalEscalationPolicy',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('name', models.CharField(db_index=True, max_length=100, verbose_name='name')),
                        ('step_minutes', models.JSONField(default=list, help_text='Minutes to wait for an acknowledgement at each step before alerting the next order of contacts, e.g. [10, 15, 30]; the last value repeats.', verbose_name='minutes per step')),
                        ('max_steps', models.PositiveSmallIntegerField(default=3, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(20)], verbose_name='maximum steps')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'emergency_hq_historicalescalationpolicy',
                        'verbose_name': 'historical escalation policy',
                        'verbose_name_plural': 'historical escalation policies',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddConstraint(
                    model_name='alerttarget',
                    constraint=models.UniqueConstraint(fields=('alert', 'organization'), name='unique_alert_organization'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['status', 'due_at'], name='delivery_status_due'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['status', 'claimed_at'], name='delivery_status_claimed'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(fields=('target', 'channel', 'contact_key', 'webhook_key', 'step', 'resend_round'), name='unique_delivery_per_round'),
                ),
            ],
        ),
    ]
