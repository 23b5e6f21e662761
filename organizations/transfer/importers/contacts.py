"""Contacts: upsert by (organization, name), parents by name, never a loop."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from ... import permissions
from ...models import (
    Contact,
    Organization,
)
from ...vocabulary import Language
from .. import columns as cols
from .base import Importer, Item, _messages, among, parse_bool, parse_whole
from .writer import BulkWriter

CONTACT_TEXT_FIELDS = ("title", "email", "phone", "sms_number", "notes")
CONTACT_FIELDS = (*CONTACT_TEXT_FIELDS, "language", "order", "active")


class ContactImporter(Importer):
    dataset = cols.CONTACTS

    def check_rows(self) -> None:
        records = list(self.records())
        codes = {r.get("organization", "").upper() for _n, r in records}
        organizations = {
            o.code: o for o in Organization.objects.filter(among(Organization, "code", codes))
        }
        registered: dict[tuple[str, str], list[Contact]] = {}
        names_by_pk: dict[int, str] = {}
        code_by_org_id = {o.pk: o.code for o in organizations.values()}
        db_contacts = Contact.objects.filter(among(Contact, "organization_id", code_by_org_id))
        for contact in db_contacts:
            code = code_by_org_id[contact.organization_id]
            registered.setdefault((code, contact.name), []).append(contact)
            names_by_pk[contact.pk] = contact.name
        self.registered = registered
        self.organizations = organizations
        # The tree as it will be: (organization, name) -> parent name, file over database.
        tree: dict[tuple[str, str], str | None] = {}
        for (code, name), contacts in registered.items():
            parent_id = contacts[0].parent_id
            tree[(code, name)] = names_by_pk.get(parent_id) if parent_id else None
        tree_before = dict(tree)

        seen: dict[tuple[str, str], int] = {}
        pending: list[tuple[int, tuple[str, str], Contact, bool, dict, str | None]] = []
        languages = Language.values
        for number, record in records:
            before = len(self.plan.errors)
            code = self.require(number, record, "organization").upper()
            name = self.require(number, record, "name")
            organization = organizations.get(code)
            if code and organization is None:
                self.error(
                    number,
                    "organization",
                    _("Unknown organization “%(code)s”.") % {"code": code},
                )
            if not (organization and name):
                continue
            key = (code, name)
            if key in seen:
                self.error(number, "name", _("Duplicate of row %(row)d.") % {"row": seen[key]})
                continue
            seen[key] = number
            matches = registered.get(key, [])
            if len(matches) > 1:
                self.error(
                    number,
                    "name",
                    _(
                        "%(count)d registered contacts of %(code)s are named “%(name)s”; "
                        "rename them in the administration first."
                    )
                    % {"count": len(matches), "code": code, "name": name},
                )
                continue
            is_new = not matches
            contact = Contact(organization=organization, name=name) if is_new else matches[0]
            old = {f: getattr(contact, f) for f in CONTACT_FIELDS}
            old_parent = tree.get(key)
            for field_name in CONTACT_TEXT_FIELDS:
                if field_name in self.present:
                    setattr(contact, field_name, record.get(field_name, ""))
            if "email" in self.present and contact.email:
                try:
                    validate_email(contact.email)
                except ValidationError as error:
                    self.error(number, "email", _messages(error))
            if "language" in self.present:
                language = record.get("language", "").lower() or Language.JA
                if language in languages:
                    contact.language = language
                else:
                    self.error(
                        number,
                        "language",
                        _("Unknown language “%(value)s”; use one of: %(choices)s.")
                        % {"value": language, "choices": ", ".join(languages)},
                    )
            if "order" in self.present:
                try:
                    contact.order = parse_whole(record.get("order", "") or "1")
                except ValueError as error:
                    self.error(number, "order", str(error))
            if "active" in self.present:
                try:
                    active = parse_bool(record.get("active", ""))
                except ValueError as error:
                    self.error(number, "active", str(error))
                else:
                    if active is not None:
                        contact.active = active
            parent = record.get("parent", "") if "parent" in self.present else old_parent
            if parent == name:
                self.error(number, "parent", _("A contact cannot report to itself."))
            if not (contact.email or contact.phone or contact.sms_number):
                self.error(
                    number,
                    "email",
                    _("Give at least one way to reach this contact: e-mail, phone or SMS."),
                )
            self.model_errors(number, contact, exclude=["organization", "parent"], since=before)
            tree[key] = parent or None
            if len(self.plan.errors) == before:
                changed = old != {f: getattr(contact, f) for f in CONTACT_FIELDS}
                changed = changed or (parent or None) != old_parent
                pending.append((number, key, contact, is_new, {"changed": changed}, parent))

        for number, key, contact, is_new, flags, parent in pending:
            code, name = key
            keeps_parent = not is_new and parent == tree_before.get(key)
            if parent and not keeps_parent:
                if (code, parent) not in seen and not registered.get((code, parent)):
                    self.error(
                        number,
                        "parent",
                        _(
                            "No contact named “%(name)s” in %(code)s, neither in the file nor "
                            "registered."
                        )
                        % {"name": parent, "code": code},
                    )
                    continue
                if (code, parent) not in seen and len(registered[(code, parent)]) > 1:
                    self.error(
                        number,
                        "parent",
                        _("Several registered contacts of %(code)s are named “%(name)s”.")
                        % {"code": code, "name": parent},
                    )
                    continue
            depth = self._depth(tree, key)
            if depth is None:
                self.error(number, "parent", _("This parent would make a loop in the tree."))
                continue
            action = "create" if is_new else ("update" if flags["changed"] else "unchanged")
            self.plan.items.append(
                Item(
                    number,
                    f"{code} {name}",
                    action,
                    {
                        "contact": contact,
                        "key": key,
                        "parent": parent or None,
                        "keeps_parent": keeps_parent,
                        "depth": depth,
                    },
                )
            )

    @staticmethod
    def _depth(tree, key) -> int | None:
        """How many ancestors the contact will have, or None when it is in a loop."""
        code = key[0]
        seen = {key}
        depth = 0
        parent = tree.get(key)
        while parent:
            node = (code, parent)
            if node in seen:
                return None if node == key else depth
            seen.add(node)
            depth += 1
            parent = tree.get(node)
        return depth

    def write(self) -> None:
        """What contact_save wrote row by row, in one statement a tree level.

        contact_save's own checks need no second run here: the rows were checked in this
        transaction (fields, a way to reach, parents in the same organization) and the tree
        as it will be has no loop, so neither does any order of writing it.
        """
        items = self.plan.items
        for code in {i.data["key"][0] for i in items if i.action != "unchanged"}:
            organization = self.organizations[code]
            permissions.require(self.actor, permissions.Action.MANAGE_CONTACTS, organization)
        in_file = {item.data["key"]: item.data["contact"] for item in items}
        levels: dict[int, list[Item]] = {}
        updated: list[Item] = []
        for item in items:
            if item.action == "create":
                levels.setdefault(item.data["depth"], []).append(item)
            elif item.action == "update":
                updated.append(item)
        writer = BulkWriter(self.actor)
        # Parents first, so that each new parent has its id when its children are written and
        # every history row names the final parent.
        for depth in sorted(levels):
            writer.create(Contact, [self._with_parent(i, in_file) for i in levels[depth]])
        writer.update(
            Contact, [self._with_parent(i, in_file) for i in updated], [*CONTACT_FIELDS, "parent"]
        )
        writer.finish()

    def _with_parent(self, item: Item, in_file) -> Contact:
        contact = item.data["contact"]
        code, _name = item.data["key"]
        parent_name = item.data["parent"]
        if parent_name is None:
            contact.parent = None
        elif (code, parent_name) in in_file:
            contact.parent = in_file[(code, parent_name)]
        elif not item.data["keeps_parent"]:
            # Checked in this transaction: exactly one registered contact has the name.
            contact.parent = self.registered[(code, parent_name)][0]
        return contact
