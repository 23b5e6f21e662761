"""Signals of the organizations app, for the apps above it."""

from django.dispatch import Signal

# Rows of ``sender`` (a model) were created, updated or deleted in bulk, so without the
# per-row post_save/post_delete signals. Sent inside the transaction that wrote them.
rows_written_in_bulk = Signal()
