"""Validate the rows of an uploaded file, then apply them all or none.

``validate`` never writes: it loads what it needs in a handful of queries, checks every row
and returns a plan with every problem found (row number, column, reason). ``apply`` checks
again (the database may have changed since the dry run) and, only when no row is bad,
writes every row inside one transaction: organizations and contacts in bulk (``writer``:
what organizations.services would write row by row, with the same history rows and
history_user), members through organizations.services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ... import permissions
from .. import columns as cols
from ..readers import Table
from .base import ApplyRefused, Importer, Item, Plan, RowError, _messages
from .contacts import ContactImporter
from .members import MemberImporter
from .organizations import OrganizationImporter

__all__ = ["ApplyRefused", "Item", "Plan", "RowError", "apply", "validate"]

IMPORTERS: dict[str, type[Importer]] = {
    cols.ORGANIZATIONS: OrganizationImporter,
    cols.CONTACTS: ContactImporter,
    cols.MEMBERS: MemberImporter,
}


def validate(dataset: str, table: Table, *, actor) -> Plan:
    """The dry run: every problem of every row, and what would change. Writes nothing."""
    permissions.require(actor, permissions.Action.ADMINISTER)
    return IMPORTERS[dataset](table, actor=actor).validate()


def apply(dataset: str, table: Table, *, actor) -> Plan:
    """Check again and write every row, or raise ApplyRefused and write nothing."""
    permissions.require(actor, permissions.Action.ADMINISTER)
    with transaction.atomic():
        importer = IMPORTERS[dataset](table, actor=actor)
        plan = importer.validate()
        if not plan.ok:
            raise ApplyRefused(plan)
        try:
            with transaction.atomic():
                importer.write()
        except (ValidationError, IntegrityError) as error:
            # A check the dry run could not make (e.g. a concurrent change): refuse it all.
            message = _messages(error) if isinstance(error, ValidationError) else str(error)
            plan.errors.append(RowError(0, "", message))
            raise ApplyRefused(plan) from error
    return plan
