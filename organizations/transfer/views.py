import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.spreadsheets import download

from .. import permissions
from ..permissions import Action
from . import columns, exporters, importers, readers, storage, tasks
from .forms import ImportForm

logger = logging.getLogger(__name__)
# Uploads with more rows than this are applied by a Celery worker, not in the request.
INLINE_ROWS = 500
FORMATS = {"csv": exporters.CSV_CONTENT_TYPE, "xlsx": exporters.XLSX_CONTENT_TYPE}


def inline_rows() -> int:
    return int(getattr(settings, "IMPORT_INLINE_ROWS", INLINE_ROWS))


def _import_page(request, form, status=200):
    return render(
        request,
        "organizations/transfer_import.html",
        {
            "form": form,
            "datasets": [
                (d, columns.DATASET_LABELS[d], columns.DATASET_KEYS[d], columns.COLUMNS[d])
                for d in columns.DATASETS
            ],
            "max_mb": readers.max_bytes() // (1024 * 1024),
            "max_rows": readers.max_rows(),
        },
        status=status,
    )


def _report(request, plan, *, filename, token=None, status=200):
    return render(
        request,
        "organizations/transfer_report.html",
        {
            "plan": plan,
            "dataset_label": columns.DATASET_LABELS[plan.dataset],
            "filename": filename,
            "token": token,
            "created": plan.keys("create"),
            "updated": plan.keys("update"),
            "unchanged": plan.count("unchanged"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_import(request):
    permissions.require(request.user, Action.ADMINISTER)
    if request.method == "GET":
        return _import_page(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    dataset = form.cleaned_data["dataset"]
    try:
        table = readers.read_upload(upload)
    except readers.ReadError as error:
        form.add_error("file", str(error))
        return _import_page(request, form, status=400)
    plan = importers.validate(dataset, table, actor=request.user)
    token = None
    if plan.ok and (plan.count("create") or plan.count("update")):
        token = storage.pending_save(
            user=request.user, dataset=dataset, filename=upload.name, table=table
        )
    return _report(request, plan, filename=upload.name, token=token)


@login_required
@require_POST
def transfer_import_apply(request):
    permissions.require(request.user, Action.ADMINISTER)
    token = request.POST.get("token", "")
    pending = storage.pending_load(user=request.user, token=token)
    if pending is None or not storage.pending_claim(token):
        raise Http404(_("This upload is unknown, expired or already applied. Upload it again."))
    if len(pending.table.rows) > inline_rows():
        # Too long for one web request: a worker applies it; the status page follows it.
        storage.result_save(
            token,
            user_id=request.user.pk,
            state="running",
            dataset=pending.dataset,
            filename=pending.filename,
        )
        try:
            tasks.transfer_apply.delay(token, request.user.pk, get_language())
        except Exception:  # the broker is down: do it here rather than not at all
            logger.warning("broker unavailable; applying %s in the request", pending.filename)
            tasks.apply_and_record(pending, request.user)
        return redirect("transfer_import_status", token=token)
    try:
        plan = importers.apply(pending.dataset, pending.table, actor=request.user)
    except importers.ApplyRefused as refused:
        return _report(request, refused.plan, filename=pending.filename, status=400)
    finally:
        storage.pending_discard(token)
    messages.success(request, _applied_message(pending.filename, plan.count))
    return redirect("transfer_import")


def _applied_message(filename: str, count) -> str:
    return _(
        "%(file)s applied: %(created)d added, %(updated)d updated, %(unchanged)d unchanged."
    ) % {
        "file": filename,
        "created": count("create"),
        "updated": count("update"),
        "unchanged": count("unchanged"),
    }


@login_required
def transfer_import_status(request, token):
    permissions.require(request.user, Action.ADMINISTER)
    result = storage.result_load(user=request.user, token=token)
    if result is None:
        raise Http404
    if result["state"] == "refused":
        plan = importers.Plan(
            dataset=result["dataset"],
            total=result["total"],
            errors=[importers.RowError(*e) for e in result["errors"]],
        )
        return _report(request, plan, filename=result["filename"])
    counts = {
        "create": result.get("created"),
        "update": result.get("updated"),
        "unchanged": result.get("unchanged"),
    }
    message = ""
    if result["state"] == "done":
        message = _applied_message(result["filename"], counts.get)
    return render(
        request, "organizations/transfer_status.html", {"result": result, "message": message}
    )


@login_required
def transfer_export(request, dataset, fmt):
    permissions.require(request.user, Action.ADMINISTER)
    if dataset not in columns.DATASETS or fmt not in FORMATS:
        raise Http404
    content = exporters.export(dataset, fmt, user=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = download(
        content, filename=f"bcpweb-{dataset}-{stamp}.{fmt}", content_type=FORMATS[fmt]
    )
    # Contacts and members are personal data: no copies in shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
