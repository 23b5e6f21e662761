"""Members: add roles by (username, role, organization); never remove one."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from ... import permissions, services
from ...models import (
    Organization,
)
from .. import columns as cols
from .base import Importer, Item, _messages


class MemberImporter(Importer):
    dataset = cols.MEMBERS

    def check_rows(self) -> None:
        from guardian.models import UserObjectPermission

        User = get_user_model()
        records = list(self.records())
        usernames = {r.get("username", "") for _n, r in records}
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        groups: dict[int, set[str]] = {}
        for user_id, name in User.groups.through.objects.filter(
            user__in=users.values()
        ).values_list("user_id", "group__name"):
            groups.setdefault(user_id, set()).add(name)
        object_roles = {
            (user_id, int(object_pk), codename)
            for user_id, object_pk, codename in UserObjectPermission.objects.filter(
                user__in=users.values(),
                content_type__app_label=Organization._meta.app_label,
                content_type__model=Organization._meta.model_name,
                permission__codename__in=permissions.ORGANIZATION_ROLES,
            ).values_list("user_id", "object_pk", "permission__codename")
        }
        codes = {r.get("organization", "").upper() for _n, r in records}
        organizations = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        username_field = User._meta.get_field("username")
        seen: dict[tuple[str, str, str], int] = {}
        emails: dict[str, tuple[str, int]] = {}
        for number, record in records:
            before = len(self.plan.errors)
            username = self.require(number, record, "username")
            if username:
                try:
                    username_field.clean(username, None)
                except ValidationError as error:
                    self.error(number, "username", _messages(error))
                if username == services.SYSTEM_USERNAME:
                    self.error(number, "username", _("This user name is reserved."))
            role = self.require(number, record, "role").lower()
            if role and role not in permissions.ALL_ROLES:
                self.error(
                    number,
                    "role",
                    _("Unknown role “%(value)s”; use one of: %(choices)s.")
                    % {"value": role, "choices": ", ".join(permissions.ALL_ROLES)},
                )
            code = record.get("organization", "").upper()
            organization = organizations.get(code)
            if role in permissions.ORGANIZATION_ROLES:
                if not code:
                    self.error(
                        number,
                        "organization",
                        _("The role %(role)s needs an organization.") % {"role": role},
                    )
                elif organization is None:
                    self.error(
                        number,
                        "organization",
                        _("Unknown organization “%(code)s”.") % {"code": code},
                    )
            elif role in permissions.MARKET_ROLES and code:
                self.error(
                    number,
                    "organization",
                    _("Only reporter and viewer belong to an organization; leave this blank."),
                )
            email = record.get("email", "")
            if email:
                try:
                    validate_email(email)
                    User._meta.get_field("email").clean(email, None)
                except ValidationError as error:
                    self.error(number, "email", _messages(error))
                else:
                    earlier = emails.get(username)
                    if earlier and earlier[0].lower() != email.lower():
                        self.error(
                            number,
                            "email",
                            _("Row %(row)d gives this user another e-mail address.")
                            % {"row": earlier[1]},
                        )
                    emails.setdefault(username, (email, number))
            if len(self.plan.errors) > before:
                continue
            key = (username, role, code)
            if key in seen:
                self.error(number, "username", _("Duplicate of row %(row)d.") % {"row": seen[key]})
                continue
            seen[key] = number
            user = users.get(username)
            if user is None:
                action = "create"
            else:
                if organization is not None:
                    holds = (user.pk, organization.pk, role) in object_roles
                else:
                    holds = role in groups.get(user.pk, set())
                same_email = not email or email == user.email
                action = "unchanged" if holds and same_email else "update"
            label = f"{username} {role}" + (f" {code}" if organization else "")
            self.plan.items.append(
                Item(
                    number,
                    label,
                    action,
                    {"username": username, "role": role, "code": code or None, "email": email},
                )
            )

    def write(self) -> None:
        for item in self.plan.items:
            if item.action == "unchanged":
                continue
            services.member_add(
                actor=self.actor,
                username=item.data["username"],
                role=item.data["role"],
                organization_code=item.data["code"],
                email=item.data["email"] or None,
            )
