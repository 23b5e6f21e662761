"""Organizations: upsert by code, with functions and segments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ...models import (
    BusinessFunction,
    Organization,
    OrganizationFunction,
    SegmentParticipation,
    code_validator,
)
from ...vocabulary import PARTICIPATION_SEGMENTS, OrganizationKind
from .. import columns as cols
from .base import (
    Importer,
    Item,
    _messages,
    among,
    parse_bool,
    parse_percent,
    parse_whole,
    split_list,
)
from .writer import BulkWriter

ORGANIZATION_FIELDS = (
    "name_ja",
    "name_en",
    "kind",
    "is_public",
    "active",
    "website",
    "address_ja",
    "address_en",
)


class OrganizationImporter(Importer):
    dataset = cols.ORGANIZATIONS

    def check_rows(self) -> None:
        records = list(self.records())
        codes = {r.get("code", "").upper() for _n, r in records}
        existing = {
            o.code: o for o in Organization.objects.filter(among(Organization, "code", codes))
        }
        pks = [o.pk for o in existing.values()]
        # Plain tuples, not prefetched model rows: ten times faster for a big file.
        held_functions: dict[int, dict[str, int | None]] = {}
        for org_id, code, rto in OrganizationFunction.objects.filter(
            among(OrganizationFunction, "organization_id", pks)
        ).values_list("organization_id", "function__code", "rto_minutes"):
            held_functions.setdefault(org_id, {})[code] = rto
        held_segments: dict[int, dict[str, tuple]] = {}
        for org_id, code, weight, retail in SegmentParticipation.objects.filter(
            among(SegmentParticipation, "organization_id", pks)
        ).values_list("organization_id", "segment", "weight", "retail_weight"):
            held_segments.setdefault(org_id, {})[code] = (weight, retail)
        catalogue = {f.code for f in BusinessFunction.objects.all()}
        kinds = OrganizationKind.values
        segments = [code for code, _label in PARTICIPATION_SEGMENTS]
        seen: dict[str, int] = {}
        for number, record in records:
            before = len(self.plan.errors)
            code = self.require(number, record, "code").upper()
            if code:
                try:
                    code_validator(code)
                except ValidationError as error:
                    self.error(number, "code", _messages(error))
                    code = ""
            if code in seen:
                self.error(number, "code", _("Duplicate of row %(row)d.") % {"row": seen[code]})
                continue
            if code:
                seen[code] = number
            organization = existing.get(code)
            is_new = organization is None
            if is_new:
                organization = Organization(code=code)
            old = {f: getattr(organization, f) for f in ORGANIZATION_FIELDS}
            self.require(number, record, "name_ja")
            kind = self.require(number, record, "kind")
            if kind and kind not in kinds:
                self.error(
                    number,
                    "kind",
                    _("Unknown kind “%(value)s”; use one of: %(choices)s.")
                    % {"value": kind, "choices": ", ".join(kinds)},
                )
            for name in ("name_ja", "name_en", "kind", "website", "address_ja", "address_en"):
                if name in self.present:
                    setattr(organization, name, record.get(name, ""))
            for name in ("is_public", "active"):
                if name not in self.present:
                    continue
                try:
                    value = parse_bool(record.get(name, ""))
                except ValueError as error:
                    self.error(number, name, str(error))
                    continue
                if value is not None:
                    setattr(organization, name, value)
            current_functions = held_functions.get(organization.pk, {}) if not is_new else {}
            functions = self._functions(number, record, catalogue, current_functions)
            current_segments = held_segments.get(organization.pk, {}) if not is_new else {}
            wanted_segments = self._segments(number, record, segments)
            self.model_errors(number, organization, exclude=["code"], since=before)
            if len(self.plan.errors) > before:
                continue
            changed = is_new or old != {f: getattr(organization, f) for f in ORGANIZATION_FIELDS}
            functions_changed = functions is not None and functions != current_functions
            segments_changed = wanted_segments is not None and wanted_segments != current_segments
            action = "create" if is_new else "update"
            if not (changed or functions_changed or segments_changed):
                action = "unchanged"
            self.plan.items.append(
                Item(
                    number,
                    code,
                    action,
                    {
                        "organization": organization,
                        "fields_changed": changed,
                        "functions": functions if functions_changed else None,
                        "default_functions": is_new and functions is None,
                        "segments": wanted_segments if segments_changed else None,
                    },
                )
            )

    def _functions(self, number, record, catalogue, current) -> dict[str, int | None] | None:
        text = record.get("functions", "")
        if not text:
            return None
        functions: dict[str, int | None] = {}
        for part in split_list(text):
            code, _sep, rto_text = part.partition(":")
            code = code.strip().lower()
            if code not in catalogue:
                self.error(
                    number,
                    "functions",
                    _("Unknown function “%(value)s”; use one of: %(choices)s.")
                    % {"value": code, "choices": ", ".join(sorted(catalogue))},
                )
                continue
            if code in functions:
                self.error(number, "functions", _("“%(value)s” is listed twice.") % {"value": code})
                continue
            rto = current.get(code)
            if rto_text.strip():
                try:
                    rto = parse_whole(rto_text.strip(), maximum=10_000_000)
                except ValueError as error:
                    self.error(number, "functions", f"{code}: {error}")
                    continue
            functions[code] = rto
        return functions

    def _segments(self, number, record, known) -> dict[str, tuple] | None:
        if "segments" not in self.present:
            return None
        wanted: dict[str, tuple] = {}
        for part in split_list(record.get("segments", "")):
            code, _sep, rest = part.partition(":")
            code = code.strip().lower()
            if code not in known:
                self.error(
                    number,
                    "segments",
                    _("Unknown segment “%(value)s”; use one of: %(choices)s.")
                    % {"value": code, "choices": ", ".join(known)},
                )
                continue
            if code in wanted:
                self.error(number, "segments", _("“%(value)s” is listed twice.") % {"value": code})
                continue
            weight_text, _sep, retail_text = rest.partition(":")
            try:
                wanted[code] = (
                    parse_percent(weight_text.strip()),
                    parse_percent(retail_text.strip()),
                )
            except ValueError as error:
                self.error(number, "segments", f"{code}: {error}")
        return wanted

    def write(self) -> None:
        """What organization_save, organization_functions_set and organization_segments_set
        wrote row by row, in a few statements a table, after the checks they made."""
        items = [i for i in self.plan.items if i.action != "unchanged"]
        updated_pks = [i.data["organization"].pk for i in items if i.action == "update"]
        segments = self._check_and_plan_segments(items, updated_pks)
        writer = BulkWriter(self.actor)
        writer.create(Organization, [i.data["organization"] for i in items if i.action == "create"])
        writer.update(
            Organization,
            [
                i.data["organization"]
                for i in items
                if i.action == "update" and i.data["fields_changed"]
            ],
            ORGANIZATION_FIELDS,
        )
        self._write_functions(writer, items, updated_pks)
        create, update, delete = segments
        writer.delete(SegmentParticipation, delete)
        writer.create(SegmentParticipation, create)
        writer.update(SegmentParticipation, update, ["weight", "retail_weight"])
        writer.finish()

    @staticmethod
    def _check_and_plan_segments(items: list[Item], updated_pks: list[int]):
        """The participations to create, update and delete, checked item by item in the order
        the services checked them: a code taken since the dry run (organization_save's
        full_clean), then each changed participation (organization_segments_set)."""
        codes = [i.data["organization"].code for i in items if i.action == "create"]
        taken = Organization.objects.filter(among(Organization, "code", codes))
        taken = set(taken.values_list("code", flat=True))
        current = _by_organization(
            SegmentParticipation.objects.filter(
                among(SegmentParticipation, "organization_id", updated_pks)
            ),
            "segment",
        )
        create, update, delete = [], [], []
        for item in items:
            organization = item.data["organization"]
            if item.action == "create" and organization.code in taken:
                organization.validate_unique()  # raises the ValidationError a save would
            segments = item.data["segments"]
            if segments is None:
                continue
            mine = current.get(organization.pk, {}) if organization.pk else {}
            delete.extend(p for code, p in mine.items() if code not in segments)
            for code, (weight, retail_weight) in segments.items():
                participation = mine.get(code)
                if participation is None:
                    participation = SegmentParticipation(organization=organization, segment=code)
                    create.append(participation)
                elif (weight, retail_weight) == (participation.weight, participation.retail_weight):
                    continue
                else:
                    update.append(participation)
                participation.weight = weight
                participation.retail_weight = retail_weight
                participation.full_clean(exclude=["organization"], validate_unique=False)
        return create, update, delete

    @staticmethod
    def _write_functions(writer: BulkWriter, items: list[Item], updated_pks: list[int]) -> None:
        catalogue = {f.code: f for f in BusinessFunction.objects.all()}
        current = _by_organization(
            OrganizationFunction.objects.filter(
                among(OrganizationFunction, "organization_id", updated_pks)
            ),
            "function_id",
        )
        create, update, delete = [], [], []
        for item in items:
            organization = item.data["organization"]
            functions = item.data["functions"]
            if functions is None and item.data["default_functions"]:
                functions = {
                    f.code: f.default_rto_minutes
                    for f in catalogue.values()
                    if organization.kind in (f.default_kinds or [])
                }
            if functions is None:
                continue
            unknown = sorted(set(functions) - set(catalogue))
            if unknown:  # removed from the catalogue since the dry run
                raise ValidationError(
                    _("Unknown function: %(codes)s") % {"codes": ", ".join(unknown)}
                )
            mine = current.get(organization.pk, {})
            wanted = {catalogue[code].pk: rto for code, rto in functions.items()}
            delete.extend(of for function_id, of in mine.items() if function_id not in wanted)
            for function_id, rto in wanted.items():
                of = mine.get(function_id)
                if of is None:
                    create.append(
                        OrganizationFunction(
                            organization_id=organization.pk,
                            function_id=function_id,
                            rto_minutes=rto,
                        )
                    )
                elif of.rto_minutes != rto:
                    of.rto_minutes = rto
                    update.append(of)
        writer.delete(OrganizationFunction, delete)
        writer.create(OrganizationFunction, create)
        writer.update(OrganizationFunction, update, ["rto_minutes"])


def _by_organization(rows, key: str) -> dict[int, dict]:
    """{organization id: {row.<key>: row}}"""
    grouped: dict[int, dict] = {}
    for row in rows:
        grouped.setdefault(row.organization_id, {})[getattr(row, key)] = row
    return grouped
