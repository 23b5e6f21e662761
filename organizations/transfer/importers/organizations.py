"""Organizations: upsert by code, with functions and segments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ... import services
from ...models import (
    BusinessFunction,
    Organization,
    OrganizationFunction,
    SegmentParticipation,
    code_validator,
)
from ...vocabulary import PARTICIPATION_SEGMENTS, OrganizationKind
from .. import columns as cols
from .base import Importer, Item, _messages, parse_bool, parse_percent, parse_whole, split_list

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
        existing = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        # Plain tuples, not prefetched model rows: ten times faster for a big file.
        held_functions: dict[int, dict[str, int | None]] = {}
        for org_id, code, rto in OrganizationFunction.objects.filter(
            organization__code__in=codes
        ).values_list("organization_id", "function__code", "rto_minutes"):
            held_functions.setdefault(org_id, {})[code] = rto
        held_segments: dict[int, dict[str, tuple]] = {}
        for org_id, code, weight, retail in SegmentParticipation.objects.filter(
            organization__code__in=codes
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
        for item in self.plan.items:
            if item.action == "unchanged":
                continue
            organization = item.data["organization"]
            if item.data["fields_changed"]:
                services.organization_save(
                    actor=self.actor,
                    organization=organization,
                    with_default_functions=item.data["default_functions"],
                )
            if item.data["functions"] is not None:
                services.organization_functions_set(
                    actor=self.actor, organization=organization, functions=item.data["functions"]
                )
            if item.data["segments"] is not None:
                services.organization_segments_set(
                    actor=self.actor, organization=organization, segments=item.data["segments"]
                )
