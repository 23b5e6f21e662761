"""Rows in, plan out: the parts every dataset shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from common.text import has_control_characters, strip_control_characters

from .. import columns as cols
from ..readers import Table

TRUE_WORDS = {"true", "1", "yes", "y", "t", "はい", "○"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "いいえ", "×"}
LIST_SEPARATORS = (";", "；", "\n")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Item:
    """One good row, ready to be written."""

    row: int
    key: str
    action: str  # "create", "update" or "unchanged"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    dataset: str
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def keys(self, action: str) -> list[str]:
        return [i.key for i in self.items if i.action == action]

    def count(self, action: str) -> int:
        return sum(1 for i in self.items if i.action == action)


class ApplyRefused(Exception):
    """Some rows are bad; nothing was written. Carries the plan with its errors."""

    def __init__(self, plan: Plan):
        super().__init__(f"{len(plan.errors)} errors")
        self.plan = plan


def among(model, name: str, values) -> Q:
    """``Q(<name>__in=values)``, on PostgreSQL with the values as one array parameter.

    With one placeholder a value, psycopg spends about a tenth of a second composing a query
    for 10,000 codes; the array is one parameter whatever its length.
    """
    values = list(values)
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{name}__in": values})
    # The type without its length: a cast to varchar(32) would cut longer values short.
    array_type = model._meta.get_field(name).db_type(connection).split("(")[0]
    # Only the column's type is written into the SQL; the values are one parameter.
    unnest = RawSQL(f"SELECT unnest(%s::{array_type}[])", [values])  # noqa: S611
    return Q(**{f"{name}__in": unnest})


def _messages(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def control_characters_message(text: str) -> str:
    found = sorted({c for c in text if has_control_characters(c)})
    return _(
        "This value contains a control character (%(characters)s), which cannot be stored. "
        "Remove it and upload the file again."
    ) % {"characters": ", ".join(f"U+{ord(c):04X}" for c in found)}


def parse_bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    if not lowered:
        return None
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(_("Write true or false, not “%(value)s”.") % {"value": text})


def parse_whole(text: str, *, minimum: int = 0, maximum: int = 32767) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from None
    if not minimum <= value <= maximum:
        raise ValueError(
            _("%(value)s is out of range (%(min)d–%(max)d).")
            % {"value": value, "min": minimum, "max": maximum}
        )
    return value


def parse_percent(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise ValueError(_("%(value)s is not a percentage from 0 to 100.") % {"value": text})
    if value != value.quantize(Decimal("0.0001")):
        raise ValueError(_("%(value)s has more than 4 decimal places.") % {"value": text})
    return value


def split_list(text: str) -> list[str]:
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


class Importer:
    dataset: str

    def __init__(self, table: Table, *, actor):
        self.table = table
        self.actor = actor
        self.plan = Plan(dataset=self.dataset, total=len(table.rows))
        self.present: set[str] = set()

    # -- reading ---------------------------------------------------------------------------
    def error(self, row: int, column: str, message: str) -> None:
        self.plan.errors.append(RowError(row, column, str(message)))

    def check_header(self) -> bool:
        known = cols.column_names(self.dataset)
        seen: set[str] = set()
        for name in self.table.header:
            if not name:
                continue
            if name in seen:
                self.error(1, name, _("This column appears twice."))
            elif name not in known:
                self.error(
                    1,
                    name,
                    _("Unknown column “%(column)s”. The columns are: %(columns)s.")
                    % {"column": name, "columns": ", ".join(known)},
                )
            seen.add(name)
        for name in cols.required_columns(self.dataset):
            if name not in seen:
                self.error(
                    1, name, _("The required column “%(column)s” is missing.") % {"column": name}
                )
        self.present = seen & set(known)
        return self.plan.ok

    def records(self):
        header = self.table.header
        for number, cells in self.table.rows:
            record: dict[str, str] = {}
            bad = False
            for index, value in enumerate(cells):
                name = header[index] if index < len(header) else ""
                if name and has_control_characters(value):
                    # PostgreSQL refuses NUL in text: refuse it here, so apply never sees it.
                    self.error(number, name, control_characters_message(value))
                    value = strip_control_characters(value)
                if name:
                    record[name] = value
                elif value:
                    self.error(
                        number,
                        "",
                        _("Column %(n)d has a value but no column name.") % {"n": index + 1},
                    )
                    bad = True
            if not bad:
                yield number, record

    def require(self, number: int, record: dict[str, str], name: str) -> str:
        value = record.get(name, "")
        if not value:
            self.error(number, name, _("This value is required."))
        return value

    def model_errors(self, number: int, instance, exclude: list[str], since: int) -> bool:
        """The model's own checks (lengths, URLs, ...) on the fields not already reported."""
        reported = {e.column for e in self.plan.errors[since:]}
        exclude = [*exclude, *reported]
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = "" if name == "__all__" else name
                self.error(number, column, " ".join(messages))
            return False
        return True

    # -- the two steps -----------------------------------------------------------------------
    def validate(self) -> Plan:
        if self.check_header():
            self.check_rows()
        self.plan.errors.sort(key=lambda e: e.row)
        # A row with a problem found before its own checks (a control character) is not planned.
        bad_rows = set(self.plan.bad_rows)
        self.plan.items = [item for item in self.plan.items if item.row not in bad_rows]
        return self.plan

    def check_rows(self) -> None:
        raise NotImplementedError

    def write(self) -> None:
        raise NotImplementedError
