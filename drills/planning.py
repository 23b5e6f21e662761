"""Checking a drill's plan: every error by field, before anything is stored."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import strip_control_characters
from emergency_hq.models import IncidentKind
from organizations.models import Organization
from organizations.selectors import organizations_for_audience

from .models import (
    ANSWER_MINUTES_MAX,
    SCENARIO_MAX,
    TITLE_MAX,
    Drill,
    DrillAudience,
    DrillParticipant,
    InjectKind,
)

NOTES_MAX = 20_000
INJECTS_MAX = 50
NAME_MAX = 120
SMS_NUMBER = re.compile(r"^\+?[0-9][0-9 -]{5,30}$")


@dataclass(frozen=True)
class InjectInput:
    offset_minutes: int
    title_ja: str
    body_ja: str
    kind: str = InjectKind.ALERT
    title_en: str = ""
    body_en: str = ""
    requires_ack: bool = True


@dataclass(frozen=True)
class DrillContactInput:
    organization: str = ""
    name: str = ""
    email: str = ""
    sms: str = ""
    language: str = "ja"


@dataclass
class Plan:
    title_ja: str = ""
    title_en: str = ""
    scenario_ja: str = ""
    scenario_en: str = ""
    answer_minutes: int = 0
    participants: list[Organization] = field(default_factory=list)
    targeting: dict = field(default_factory=dict)
    injects: list[InjectInput] = field(default_factory=list)
    test_contacts: list[DrillContactInput] = field(default_factory=list)


def clean_text(value) -> str:
    """Text as stored: control characters would break e-mails, feeds and readers."""
    return strip_control_characters(value).strip() if isinstance(value, str) else ""


def _text(errors: dict, name: str, value, *, required: bool, limit: int) -> str:
    if value is not None and not isinstance(value, str):
        errors[name] = _("Enter text.")
        return ""
    text = clean_text(value)
    if required and not text:
        errors[name] = _("This field is required.")
    elif len(text) > limit:
        errors[name] = _("Use at most %(n)s characters.") % {"n": limit}
    return text


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _participants(errors: dict, audience: str, **chosen) -> tuple[list[Organization], dict]:
    if audience not in DrillAudience.values:
        errors["audience"] = _("Unknown audience %(value)s; use one of: %(choices)s.") % {
            "value": audience,
            "choices": ", ".join(DrillAudience.values),
        }
        return [], {}
    try:
        choice = organizations_for_audience(audience=audience, **chosen)
    except ValidationError as error:
        errors.update({name: " ".join(texts) for name, texts in error.message_dict.items()})
        return [], {}
    targeting = {
        "kinds": choice.kinds,
        "segments": choice.segments,
        "committees": [c.code for c in choice.committees],
    }
    return choice.organizations, targeting


def _injects(errors: dict, injects: Sequence[InjectInput]) -> list[InjectInput]:
    if len(injects) > INJECTS_MAX:
        errors["injects"] = _("At most %(n)s injects.") % {"n": INJECTS_MAX}
        return []
    checked = []
    for number, item in enumerate(injects, start=1):
        problems: dict = {}
        offset = _whole_number(item.offset_minutes)
        if offset is None or not 0 <= offset <= ANSWER_MINUTES_MAX:
            problems["offset_minutes"] = _(
                "Minutes after the start: a whole number from 0 to %(max)s."
            ) % {"max": ANSWER_MINUTES_MAX}
        if item.kind not in InjectKind.values:
            problems["kind"] = _("Send an inject as one of: %(choices)s.") % {
                "choices": ", ".join(InjectKind.values)
            }
        title_ja = _text(problems, "title_ja", item.title_ja, required=True, limit=TITLE_MAX)
        title_en = _text(problems, "title_en", item.title_en, required=False, limit=TITLE_MAX)
        body_ja = _text(problems, "body_ja", item.body_ja, required=True, limit=SCENARIO_MAX)
        body_en = _text(problems, "body_en", item.body_en, required=False, limit=SCENARIO_MAX)
        if problems:
            errors["injects"] = _("Inject %(n)s: %(problems)s") % {
                "n": number,
                "problems": "; ".join(f"{k}: {v}" for k, v in problems.items()),
            }
            return []
        checked.append(
            InjectInput(
                offset_minutes=offset,
                title_ja=title_ja,
                body_ja=body_ja,
                kind=item.kind,
                title_en=title_en,
                body_en=body_en,
                requires_ack=bool(item.requires_ack),
            )
        )
    return checked


def check_test_contact(contact: DrillContactInput) -> DrillContactInput:
    """A test-day contact: a name and an e-mail or SMS number, or nothing at all (cleared)."""
    errors: dict = {}
    name = _text(errors, "name", contact.name, required=False, limit=NAME_MAX)
    email = _text(errors, "email", contact.email, required=False, limit=254)
    sms = _text(errors, "sms", contact.sms, required=False, limit=32)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    if sms and not SMS_NUMBER.match(sms):
        errors["sms"] = _("Enter the SMS number in digits, e.g. +819012345678.")
    if (email or sms) and not name:
        errors["name"] = _("Name the test-day contact.")
    if name and not (email or sms):
        errors["email"] = _("Give the test-day contact an e-mail address or an SMS number.")
    if contact.language not in ("ja", "en"):
        errors["language"] = _("Choose ja or en.")
    if errors:
        raise ValidationError(errors)
    return DrillContactInput(
        organization=(contact.organization or "").strip().upper(),
        name=name,
        email=email,
        sms=sms,
        language=contact.language,
    )


def _test_contacts(
    errors: dict, contacts: Sequence[DrillContactInput], participants: list[Organization]
) -> list[DrillContactInput]:
    codes = {o.code for o in participants}
    checked = []
    for item in contacts:
        code = (item.organization or "").strip().upper()
        if code not in codes:
            errors["test_contacts"] = _("%(code)s does not take part in this drill.") % {
                "code": code or "—"
            }
            return []
        try:
            checked.append(check_test_contact(item))
        except ValidationError as error:
            errors["test_contacts"] = f"{code}: " + " ".join(error.messages)
            return []
    return checked


def check_plan(
    *,
    title_ja,
    title_en,
    scenario_ja,
    scenario_en,
    audience,
    organizations,
    kinds,
    segments,
    committees,
    starts_at,
    answer_minutes,
    injects,
    test_contacts,
    incident_kind,
    severity,
    now: datetime,
) -> Plan:
    errors: dict = {}
    plan = Plan()
    plan.title_ja = _text(errors, "title_ja", title_ja, required=True, limit=TITLE_MAX)
    plan.title_en = _text(errors, "title_en", title_en, required=False, limit=TITLE_MAX)
    plan.scenario_ja = _text(errors, "scenario_ja", scenario_ja, required=True, limit=SCENARIO_MAX)
    plan.scenario_en = _text(errors, "scenario_en", scenario_en, required=False, limit=SCENARIO_MAX)
    minutes = _whole_number(answer_minutes)
    if minutes is None or not 1 <= minutes <= ANSWER_MINUTES_MAX:
        errors["answer_minutes"] = _(
            "The answer window is a whole number of minutes from 1 to %(max)s (7 days)."
        ) % {"max": ANSWER_MINUTES_MAX}
    else:
        plan.answer_minutes = minutes
    if starts_at is not None:
        if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
            errors["starts_at"] = _("Give the start with its time zone.")
        elif starts_at <= now:
            errors["starts_at"] = _("A scheduled start must be in the future.")
    if incident_kind not in IncidentKind.values:
        errors["incident_kind"] = _("Unknown value %(value)s; use one of: %(choices)s.") % {
            "value": incident_kind,
            "choices": ", ".join(IncidentKind.values),
        }
    if not isinstance(severity, int) or isinstance(severity, bool) or not 1 <= severity <= 4:
        errors["severity"] = _("Severity is a whole number from 1 to 4.")
    plan.participants, plan.targeting = _participants(
        errors,
        audience,
        organizations=organizations or (),
        kinds=kinds or (),
        segments=segments or (),
        committees=committees or (),
    )
    plan.injects = _injects(errors, list(injects or ()))
    plan.test_contacts = _test_contacts(errors, list(test_contacts or ()), plan.participants)
    if errors:
        raise ValidationError(errors)
    return plan


def apply_test_contact(participant: DrillParticipant, contact: DrillContactInput | None) -> None:
    participant.test_contact_name = contact.name if contact else ""
    participant.test_contact_email = contact.email if contact else ""
    participant.test_contact_sms = contact.sms if contact else ""
    participant.test_contact_language = contact.language if contact else "ja"


def participant(
    drill: Drill, organization: Organization, contact: DrillContactInput | None
) -> DrillParticipant:
    row = DrillParticipant(drill=drill, organization=organization)
    apply_test_contact(row, contact)
    return row
