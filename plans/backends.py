"""Roles held per organisation: the authentication backend that answers ``user.has_perm``.

A person's role is their ``Membership`` of an organisation (officer at one council, nobody at
another), never one of their own groups. Django's ``ModelBackend`` is kept for logins and for
permissions given to the user directly; what the role groups hold is read through memberships:

- ``has_perm(perm)`` with no object: some organisation's role of theirs holds it. Views name their
  permission this way, so it decides who may use a kind of page at all.
- ``has_perm(perm, obj)`` with an organisation's object (the organisation itself, a plan, or
  anything with ``.organisation`` or ``.plan``): their role in THAT organisation holds it. The
  views check this once they know the plan (``plans.permissions``), so a performance team member
  of one council who is an officer of another approves only at the first.

A site administrator (superuser) holds every permission everywhere (Django's ``User.has_perm``
answers before any backend is asked).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import IntegerField, Value


def organisation_id_of(obj) -> int | None:
    """The organisation an object belongs to, read from the ids already loaded where it can be."""
    from plans.models import Organisation

    if isinstance(obj, Organisation):
        return obj.pk
    if getattr(obj, "organisation_id", None) is not None:
        return obj.organisation_id
    plan = getattr(obj, "plan", None)
    if plan is not None:
        return plan.organisation_id
    return None


class OrganisationBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if obj is None:
            return super().get_all_permissions(user_obj)  # kept for the request by ModelBackend
        if not user_obj.is_active or user_obj.is_anonymous or organisation_id_of(obj) is None:
            return set()
        return self.get_user_permissions(user_obj) | self.get_group_permissions(user_obj, obj)

    def get_user_permissions(self, user_obj, obj=None):
        """The permissions given to the user directly (ModelBackend's), read in the same query as
        their roles' (``permissions_by_organisation``) when not read yet."""
        if obj is None and user_obj.is_active and not user_obj.is_anonymous:
            self.permissions_by_organisation(user_obj)
        return super().get_user_permissions(user_obj, obj)

    def permissions_by_organisation(self, user_obj) -> dict[int, set[str]]:
        """What the user's role holds in each of their organisations: one query, kept for the
        request like ModelBackend's own caches. The same query reads the permissions given to
        the user directly into ModelBackend's cache of them (``_user_perm_cache``; every
        permission for a site administrator, which ModelBackend reads itself)."""
        if not hasattr(user_obj, "_organisation_perm_cache"):
            rows = (
                Permission.objects.filter(group__memberships__user=user_obj)
                .order_by()
                .values_list("group__memberships__organisation_id", "content_type__app_label", "codename")
            )
            own: set[str] | None = None
            if not user_obj.is_superuser and not hasattr(user_obj, "_user_perm_cache"):
                own = set()
                directly = (
                    Permission.objects.filter(user=user_obj)
                    .order_by()
                    .annotate(organisation=Value(None, output_field=IntegerField()))
                    .values_list("organisation", "content_type__app_label", "codename")
                )
                rows = rows.union(directly, all=True)
            by_organisation: dict[int, set[str]] = {}
            for organisation_id, app_label, codename in rows:
                if organisation_id is None:  # given to the user directly (a role is held somewhere)
                    own.add(f"{app_label}.{codename}")
                else:
                    by_organisation.setdefault(organisation_id, set()).add(f"{app_label}.{codename}")
            user_obj._organisation_perm_cache = by_organisation
            if own is not None:
                user_obj._user_perm_cache = own
        return user_obj._organisation_perm_cache

    def get_group_permissions(self, user_obj, obj=None):
        """What the user's roles hold: in any organisation (no object), or in the object's."""
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        by_organisation = self.permissions_by_organisation(user_obj)
        if obj is None:
            return set().union(*by_organisation.values())
        return by_organisation.get(organisation_id_of(obj), set())
