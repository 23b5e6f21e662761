"""Large uploads are applied by a worker, so that no web request outlives its timeout."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import translation

from . import importers, storage

logger = logging.getLogger(__name__)


@shared_task(name="organizations.transfer_apply", ignore_result=True)
def transfer_apply(token: str, user_id: int, language: str = "ja") -> None:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    pending = storage.pending_load(user=user_id, token=token, claimed=True)
    if user is None or pending is None:
        # Already applied by an earlier run of this task, or expired.
        return
    with translation.override(language):
        apply_and_record(pending, user)


def apply_and_record(pending: storage.Pending, user) -> importers.Plan | None:
    """Apply a claimed upload and leave its outcome where the status page finds it."""
    result = {"dataset": pending.dataset, "filename": pending.filename}
    try:
        plan = importers.apply(pending.dataset, pending.table, actor=user)
    except importers.ApplyRefused as refused:
        plan = refused.plan
        result["state"] = "refused"
    except Exception:
        logger.exception("applying upload %s failed", pending.filename)
        storage.result_save(pending.token, user_id=user.pk, state="failed", **result)
        return None
    else:
        result["state"] = "done"
    finally:
        storage.pending_discard(pending.token)
    storage.result_save(
        pending.token,
        user_id=user.pk,
        total=plan.total,
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        errors=[[e.row, e.column, e.message] for e in plan.errors],
        **result,
    )
    return plan
