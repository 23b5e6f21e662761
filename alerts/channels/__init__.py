"""Sending one claimed batch on one channel; each outcome is reported as soon as it is known.

One module per channel: ``email`` (with its rendering in ``email_render`` and the SMTP session
pool in ``smtp_pool``), ``webhook`` and ``sms``. A sender takes the batch and a reporter
(``outcome.Report``) and never touches the outbox itself.
"""

from .email import send_email
from .sms import send_sms
from .webhook import send_webhook

SENDERS = {"email": send_email, "webhook": send_webhook, "sms": send_sms}
