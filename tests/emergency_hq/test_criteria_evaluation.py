"""Activation criteria at their edges: exactly at the threshold, zero weights, no participants.

Pure evaluation over plain data (no database), checked by example and by property.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from emergency_hq.incidents.criteria import BoardState, CriterionRule, Participant, evaluate

HALT = CriterionRule(
    code="halt",
    kind="participants_impaired",
    segment="exchange",
    functions=("order_acceptance", "trading"),
    threshold=Decimal(50),
)
RESUME = CriterionRule(
    code="resume",
    kind="participants_able",
    segment="exchange",
    functions=("order_acceptance", "trading"),
    threshold=Decimal(50),
    retail_threshold=Decimal(30),
    retail_min_count=5,
)


def _board(rows, segment="exchange"):
    """rows: [(weight, retail, status)] -> a board with one participant per row."""
    statuses, participants = {}, []
    for i, (weight, retail, status) in enumerate(rows, start=1):
        statuses[i] = {"order_acceptance": status, "trading": status}
        participants.append(Participant(i, weight, retail))
    return BoardState(statuses=statuses, participants={segment: participants})


def test_exactly_at_the_threshold_is_met_and_just_below_is_not():
    at = _board([(Decimal(50), None, "suspended"), (Decimal(50), None, "normal")])
    below = _board([(Decimal("49.99"), None, "closed"), (Decimal("50.01"), None, "normal")])
    assert evaluate(HALT, at).met is True
    assert evaluate(HALT, at).value == 50.0
    assert evaluate(HALT, below).met is False
    assert evaluate(HALT, below).value == 49.99


def test_degraded_or_backup_site_participants_can_still_route_orders():
    board = _board([(Decimal(60), None, "degraded"), (Decimal(40), None, "backup_site")])
    result = evaluate(HALT, board)
    assert (result.value, result.met) == (0.0, False)


def test_zero_weights_and_no_participants_are_never_met():
    zero = _board([(Decimal(0), Decimal(0), "suspended"), (None, None, "closed")])
    for board in (zero, BoardState()):
        for rule in (HALT, RESUME):
            result = evaluate(rule, board)
            assert result.value is None
            assert result.met is False


def test_a_zero_threshold_still_needs_someone_to_weigh():
    rule = CriterionRule(
        code="z",
        kind="participants_impaired",
        functions=("trading",),
        segment="exchange",
        threshold=Decimal(0),
    )
    assert evaluate(rule, BoardState()).met is False


def test_resumption_needs_half_of_trading_value_and_the_retail_condition():
    # Able: 50% of trading value and exactly 30% of the retail share.
    board = _board(
        [
            (Decimal(50), Decimal(30), "normal"),
            (Decimal(50), Decimal(70), "suspended"),
        ]
    )
    result = evaluate(RESUME, board)
    assert result.met is True
    assert result.detail["retail_share"] == 30.0


def test_resumption_by_five_retail_brokers_when_their_share_is_small():
    rows = [(Decimal(11), Decimal(1), "normal") for _ in range(5)]  # 55% value, 5 brokers
    rows.append((Decimal(45), Decimal(95), "closed"))
    result = evaluate(RESUME, _board(rows))
    assert result.detail["retail_brokers"] == 5
    assert result.detail["retail_share"] == 5.0
    assert result.met is True
    four = evaluate(RESUME, _board(rows[1:]))  # 4 brokers, 4% retail
    assert four.met is False


def test_resumption_is_not_met_without_reports():
    board = _board([(Decimal(100), Decimal(100), "not_reported")])
    result = evaluate(RESUME, board)
    assert (result.value, result.met) == (0.0, False)


def test_not_reported_share_counts_participants_without_any_report():
    rule = CriterionRule(
        code="nr",
        kind="not_reported",
        segment="exchange",
        weight_basis="count",
        threshold=Decimal(50),
    )
    board = _board([(None, None, "not_reported"), (None, None, "normal")])
    result = evaluate(rule, board)
    assert (result.value, result.met) == (50.0, True)


def test_infrastructure_function_in_the_given_statuses():
    rule = CriterionRule(
        code="settle",
        kind="infrastructure",
        infrastructure=(
            {"organization": "JSCC", "function": "clearing"},
            {"organization": "JASDEC", "function": "book_entry"},
        ),
        threshold=Decimal(1),
    )
    board = BoardState(
        statuses={1: {"clearing": "degraded"}, 2: {"book_entry": "normal"}},
        ids_by_code={"JSCC": 1, "JASDEC": 2},
    )
    assert evaluate(rule, board).met is False
    board.statuses[2]["book_entry"] = "suspended"
    result = evaluate(rule, board)
    assert (result.value, result.met) == (1.0, True)
    # An infrastructure that is not on the board never meets the criterion.
    assert evaluate(rule, BoardState()).met is False


def test_manual_criteria_follow_the_declaration():
    rule = CriterionRule(code="quake", kind="manual", threshold=Decimal(1))
    assert evaluate(rule, BoardState()).met is False
    assert evaluate(rule, BoardState(), {"quake": True}).met is True
    assert evaluate(rule, BoardState(), {"quake": False}).met is False


def test_segment_all_adds_up_each_participants_weights():
    board = BoardState(
        statuses={1: {"trading": "suspended"}, 2: {"trading": "normal"}},
        participants={
            "exchange": [Participant(1, Decimal(10)), Participant(2, Decimal(30))],
            "bond": [Participant(1, Decimal(30)), Participant(2, Decimal(10))],
        },
    )
    rule = CriterionRule(
        code="all",
        kind="participants_impaired",
        segment="all",
        functions=("trading",),
        threshold=Decimal(50),
    )
    result = evaluate(rule, board)
    assert (result.value, result.met) == (50.0, True)


weights = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=4, allow_nan=False))
statuses = st.sampled_from(
    ["normal", "backup_site", "degraded", "suspended", "closed", "not_reported"]
)


@given(
    rows=st.lists(st.tuples(weights, weights, statuses), max_size=12),
    threshold=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
)
def test_halt_is_met_exactly_when_the_impaired_share_reaches_the_threshold(rows, threshold):
    rule = CriterionRule(
        code="p",
        kind="participants_impaired",
        segment="exchange",
        functions=("order_acceptance",),
        threshold=threshold,
    )
    board = _board(rows)
    total = sum((w or 0 for w, _, _ in rows), Decimal(0))
    impaired = sum((w or 0 for w, _, s in rows if s in ("suspended", "closed")), Decimal(0))
    result = evaluate(rule, board)
    assert result.met == (total > 0 and impaired * 100 >= threshold * total)
    if total == 0:
        assert result.value is None
    else:
        assert 0 <= result.value <= 100


@given(rows=st.lists(st.tuples(weights, weights, statuses), max_size=12))
def test_able_and_impaired_never_overlap(rows):
    """No participant is both unable to route orders and able to trade."""
    board = _board(rows)
    halt = CriterionRule(
        code="h",
        kind="participants_impaired",
        segment="exchange",
        functions=("order_acceptance",),
        threshold=Decimal(0),
    )
    able = CriterionRule(
        code="a",
        kind="participants_able",
        segment="exchange",
        functions=("order_acceptance",),
        threshold=Decimal(0),
    )
    impaired, ok = evaluate(halt, board), evaluate(able, board)
    if impaired.value is not None:
        assert impaired.value + ok.value <= 100.0 + 0.02
