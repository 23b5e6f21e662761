"""The frozen contact tree: a typed snapshot that reads back what was written, steps by order
and parent, and never carries a webhook secret."""

from __future__ import annotations

from alerts.snapshot import ContactTreeSnapshot, SnapshotContact, SnapshotWebhook


def _contact(pk, order, parent=None, **extra):
    return SnapshotContact(pk, f"C{pk}", f"c{pk}@example.test", "", "ja", order, parent, **extra)


def test_it_reads_back_what_it_wrote():
    tree = ContactTreeSnapshot(
        contacts=(_contact(1, 1), _contact(2, 2, parent=1, step=2)),
        webhooks=(SnapshotWebhook(9, "https://hooks.example.test/x"),),
    )
    assert ContactTreeSnapshot.from_json(tree.to_json()) == tree
    assert tree.contact(2).parent == 1 and tree.contact(3) is None
    assert tree.last_step == 2 and tree.reachable


def test_an_old_row_with_a_secret_reads_without_it():
    tree = ContactTreeSnapshot.from_json(
        {"contacts": [], "webhooks": [{"id": 9, "url": "https://h.example.test", "secret": "x"}]}
    )
    assert tree.webhooks == (SnapshotWebhook(9, "https://h.example.test"),)
    assert "secret" not in str(tree.to_json())


def test_an_empty_tree_is_unreachable():
    assert not ContactTreeSnapshot.from_json(None).reachable
    assert ContactTreeSnapshot.from_json({}).last_step == 1


def test_a_child_is_never_alerted_before_its_parent():
    tree = ContactTreeSnapshot(
        contacts=(_contact(1, 3), _contact(2, 1, parent=1), _contact(3, 2))
    ).with_steps(max_steps=20)
    steps = {c.id: c.step for c in tree.contacts}
    # orders 3, 1 (but under the order-3 parent), 2 → tiers 2 and 3; the child joins its parent
    assert steps == {3: 1, 1: 2, 2: 2}


def test_orders_beyond_the_last_step_join_the_last_step():
    tree = ContactTreeSnapshot(contacts=tuple(_contact(i, i) for i in range(1, 6))).with_steps(
        max_steps=3
    )
    assert [c.step for c in tree.contacts] == [1, 2, 3, 3, 3]
