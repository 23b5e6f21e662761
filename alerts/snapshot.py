"""The contact tree frozen when an alert starts: who is alerted at which escalation step.

Like Grafana OnCall's escalation snapshot, the plan is data written once with the alert, so
edits to a contact tree in the middle of an incident never change a running escalation. It is
stored as JSON on AlertTarget and always read back through ``ContactTreeSnapshot``. Webhook
secrets are not part of it: the sender reads the endpoint's current secret when it signs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from organizations.models import Contact, Organization, WebhookEndpoint


@dataclass(frozen=True)
class SnapshotContact:
    id: int
    name: str
    email: str
    sms: str
    language: str
    order: int
    parent: int | None
    step: int = 1

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "sms": self.sms,
            "language": self.language,
            "order": self.order,
            "parent": self.parent,
            "step": self.step,
        }

    @classmethod
    def from_json(cls, data: dict) -> SnapshotContact:
        return cls(
            id=int(data["id"]),
            name=data.get("name", ""),
            email=data.get("email", ""),
            sms=data.get("sms", ""),
            language=data.get("language") or "ja",
            order=int(data.get("order", 1)),
            parent=data.get("parent"),
            step=int(data.get("step", 1)),
        )


@dataclass(frozen=True)
class SnapshotWebhook:
    id: int
    url: str

    def to_json(self) -> dict:
        return {"id": self.id, "url": self.url}

    @classmethod
    def from_json(cls, data: dict) -> SnapshotWebhook:
        # Rows written before secrets left the snapshot may still hold one: it is not read.
        return cls(id=int(data["id"]), url=data["url"])


@dataclass(frozen=True)
class ContactTreeSnapshot:
    contacts: tuple[SnapshotContact, ...] = ()
    webhooks: tuple[SnapshotWebhook, ...] = ()

    def to_json(self) -> dict:
        return {
            "contacts": [c.to_json() for c in self.contacts],
            "webhooks": [h.to_json() for h in self.webhooks],
        }

    @classmethod
    def from_json(cls, data: dict | None) -> ContactTreeSnapshot:
        data = data or {}
        return cls(
            contacts=tuple(SnapshotContact.from_json(c) for c in data.get("contacts", [])),
            webhooks=tuple(SnapshotWebhook.from_json(h) for h in data.get("webhooks", [])),
        )

    def contact(self, key: int | None) -> SnapshotContact | None:
        return next((c for c in self.contacts if c.id == key), None)

    @property
    def last_step(self) -> int:
        return max((c.step for c in self.contacts), default=1)

    @property
    def reachable(self) -> bool:
        return bool(self.contacts or self.webhooks)

    def with_steps(self, *, max_steps: int) -> ContactTreeSnapshot:
        """The same tree with each contact's escalation step.

        A contact is reached no earlier than its parent (its effective order is the larger of
        its own and its parent's); each distinct effective order is one step, and orders beyond
        the policy's last step join the last step rather than never being called.
        """
        by_id = {c.id: c for c in self.contacts}
        effective: dict[int, int] = {}

        def rank(c: SnapshotContact, seen: tuple[int, ...] = ()) -> int:
            if c.id in effective:
                return effective[c.id]
            parent = by_id.get(c.parent)
            value = c.order
            if parent is not None and parent.id not in seen:
                value = max(value, rank(parent, (*seen, c.id)))
            effective[c.id] = value
            return value

        tiers = sorted({rank(c) for c in self.contacts})
        step_of = {tier: min(i + 1, max_steps) for i, tier in enumerate(tiers)}
        contacts = tuple(_at_step(c, step_of[effective[c.id]]) for c in self.contacts)
        return ContactTreeSnapshot(contacts=contacts, webhooks=self.webhooks)


def _at_step(c: SnapshotContact, step: int) -> SnapshotContact:
    # Frozen for thousands of contacts in the sender's transaction: reuse what needs no
    # change, and build positionally (dataclasses.replace costs several times more).
    if c.step == step:
        return c
    return SnapshotContact(c.id, c.name, c.email, c.sms, c.language, c.order, c.parent, step)


def freeze(
    organizations: Iterable[Organization],
    *,
    max_steps: int,
    extra: Mapping[int, Iterable[SnapshotContact]] | None = None,
) -> dict[int, ContactTreeSnapshot]:
    """{organization id: its active contact tree with steps}, in two queries for all of them.

    Contacts without an e-mail address or SMS number cannot be alerted and are left out.
    ``extra`` contacts ({organization id: contacts}) join the first step of their tree.
    """
    ids = [o.pk for o in organizations]
    contacts: dict[int, list[SnapshotContact]] = {pk: [] for pk in ids}
    rows = (
        Contact.objects.filter(organization_id__in=ids, active=True)
        .exclude(email="", sms_number="")
        .order_by("organization_id", "order", "name", "pk")
        .values_list(
            "pk", "organization_id", "name", "email", "sms_number", "language", "order", "parent_id"
        )
    )
    for pk, org_id, name, email, sms, language, order, parent in rows:
        contacts[org_id].append(
            SnapshotContact(pk, name, email, sms, language or "ja", order, parent)
        )
    for org_id, added in (extra or {}).items():
        if org_id in contacts:
            # With the first order of the tree, whatever that is: alerted at step 1.
            first = min((c.order for c in contacts[org_id]), default=1)
            contacts[org_id].extend(
                replace(c, order=first, parent=None) for c in added if c.email or c.sms
            )
    webhooks: dict[int, list[SnapshotWebhook]] = {pk: [] for pk in ids}
    hooks = WebhookEndpoint.objects.filter(organization_id__in=ids, active=True).order_by("pk")
    for pk, org_id, url in hooks.values_list("pk", "organization_id", "url"):
        webhooks[org_id].append(SnapshotWebhook(pk, url))
    return {
        pk: ContactTreeSnapshot(tuple(contacts[pk]), tuple(webhooks[pk])).with_steps(
            max_steps=max_steps
        )
        for pk in ids
    }
