"""Background work of the bulletin: reminder e-mails. Tasks carry ids only."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Circular, CircularRecipient
from .selectors import member_emails_by_organization


@shared_task(ignore_result=True)
def circular_reminders_send(circular_id: int, receipt_ids: list[int]) -> int:
    """Mail the members of each organization still pending; one SMTP connection per batch."""
    circular = Circular.objects.filter(pk=circular_id, withdrawn_at__isnull=True).first()
    if circular is None:
        return 0
    # Whoever acknowledged meanwhile is not reminded.
    receipts = CircularRecipient.objects.filter(
        pk__in=receipt_ids, circular=circular, acknowledged_at__isnull=True
    ).select_related("organization")
    organization_ids = [r.organization_id for r in receipts]
    emails = member_emails_by_organization(organization_ids)
    url = settings.SITE_URL.rstrip("/") + reverse("circular_detail", args=[circular.number])
    messages = []
    with translation.override("ja"):
        for receipt in receipts:
            recipients = emails.get(receipt.organization_id, [])
            if not recipients:
                continue
            context = {"circular": circular, "organization": receipt.organization, "url": url}
            subject = render_to_string("bulletin/email/circular_reminder-subject.txt", context)
            body = render_to_string("bulletin/email/circular_reminder-body.txt", context)
            messages.append(
                mail.EmailMessage(
                    subject=" ".join(subject.split()),
                    body=body,
                    to=recipients,
                )
            )
    if messages:
        with mail.get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)
