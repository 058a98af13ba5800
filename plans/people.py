"""The people of an organisation and their roles: every write, audited.

A site administrator creates an organisation with its first performance-team member; the
performance team then adds its own people, changes their roles and removes them. A new person
has no password: they are emailed a link to set one (Django's password-reset token, the same
link the "Forgotten your password?" page sends), so nobody else ever knows it.

Each organisation keeps at least one performance-team member, and nobody removes or demotes
themselves from its performance team: someone must always be able to manage its people.
"""

from __future__ import annotations

import logging

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

import audit
from audit.models import AuditEvent
from plans import roles
from plans.models import Lead, Membership, Organisation

logger = logging.getLogger(__name__)

ROLE_NAMES = (roles.OFFICER, roles.PERFORMANCE, roles.CMT, roles.CLERK)
ROLE_HINTS = {
    roles.OFFICER: "Updates the actions they lead and asks for re-programmes.",
    roles.PERFORMANCE: "Runs the plans: updates any action, approves, closes months, manages people and leads.",
    roles.CMT: "Reads the plans and reports and approves re-programmes and suspensions.",
    roles.CLERK: "Reads the plans and reports.",
}


def role_groups() -> list[Group]:
    """The roles a person can hold, in the order the pages offer them."""
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_NAMES)}
    return [groups[name] for name in ROLE_NAMES if name in groups]


def _may_manage(user, organisation: Organisation) -> None:
    # The views check this too; asserted again where a mistake would give someone a role.
    if user is None or not user.has_perm(roles.MANAGE_PEOPLE, organisation):
        raise PermissionDenied("Only the organisation's performance team manages its people.")


def _new_login(*, username: str, full_name: str, email: str) -> User:
    username, email = username.strip(), email.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken: choose another"})
    first, _, last = full_name.strip().partition(" ")
    user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()  # they set their own, from the emailed link
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def create_organisation(
    *, user, name: str, slug: str = "", full_name: str, email: str, username: str
) -> Membership:
    """A new organisation and its first performance-team member (a new login). Site
    administrators only. The caller sends the set-password email once this has committed."""
    if user is None or not user.is_superuser:
        raise PermissionDenied("Only a site administrator creates organisations.")
    name = name.strip()
    slug = (slug.strip() or slugify(name))[:60]
    if not name:
        raise ValidationError({"name": "Enter the organisation's name"})
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "An organisation already has this short name: choose another"})
    organisation = Organisation(name=name, slug=slug)
    organisation.full_clean()
    organisation.save()
    person = _new_login(username=username, full_name=full_name, email=email)
    membership = Membership.objects.create(
        user=person, organisation=organisation, role=Group.objects.get(name=roles.PERFORMANCE)
    )
    audit.record(
        AuditEvent.Kind.ORGANISATION_ADD,
        user=user,
        organisation=organisation.slug,
        name=organisation.name,
        first_member=person.username,
    )
    return membership


@transaction.atomic
def add_person(
    *, user, organisation: Organisation, full_name: str, email: str, username: str, role: Group
) -> Membership:
    """A new login holding ``role`` in ``organisation``."""
    _may_manage(user, organisation)
    _check_role(role)
    person = _new_login(username=username, full_name=full_name, email=email)
    membership = Membership.objects.create(user=person, organisation=organisation, role=role)
    audit.record(
        AuditEvent.Kind.PERSON_ADD,
        user=user,
        organisation=organisation.slug,
        person=person.username,
        role=role.name,
    )
    return membership


def _check_role(role: Group) -> None:
    if role.name not in ROLE_NAMES:
        raise ValidationError({"role": "Choose one of the roles"})


def _leaves_performance_team(user, membership: Membership) -> None:
    """Refuse a change that takes ``membership`` out of the performance team when it is the
    person's own, or the organisation's last."""
    if membership.role.name != roles.PERFORMANCE:
        return
    if membership.user_id == user.pk:
        raise ValidationError("You cannot take yourself out of the performance team: ask a colleague.")
    others = (
        Membership.objects.filter(organisation=membership.organisation_id, role__name=roles.PERFORMANCE)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise ValidationError(f"{membership.organisation} needs someone in its performance team.")


@transaction.atomic
def change_role(*, user, membership: Membership, role: Group) -> bool:
    """Give the person ``role`` in the membership's organisation. Returns whether it changed."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("role", "organisation", "user")
        .get(pk=membership.pk)
    )
    _may_manage(user, membership.organisation)
    _check_role(role)
    if membership.role_id == role.pk:
        return False
    if role.name != roles.PERFORMANCE:
        _lock_performance_team(membership.organisation_id)
        _leaves_performance_team(user, membership)
    before = membership.role.name
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        AuditEvent.Kind.ROLE_CHANGE,
        user=user,
        organisation=membership.organisation.slug,
        person=membership.user.username,
        changes={"role": [before, role.name]},
    )
    return True


def _lock_performance_team(organisation_id: int) -> None:
    # Two members of the team demoting each other at once must not leave it empty.
    list(Membership.objects.select_for_update().filter(organisation=organisation_id).values_list("pk"))


@transaction.atomic
def remove_person(*, user, membership: Membership) -> None:
    """Take the person out of the organisation: their role there goes, and any lead of the
    organisation stops being linked to their login. A login left in no organisation is made
    inactive (it can no longer log in); a site administrator keeps theirs."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("role", "organisation", "user")
        .get(pk=membership.pk)
    )
    _may_manage(user, membership.organisation)
    _lock_performance_team(membership.organisation_id)
    _leaves_performance_team(user, membership)
    person, organisation = membership.user, membership.organisation
    role = membership.role.name
    membership.delete()
    Lead.objects.filter(organisation=organisation, user=person).update(user=None)
    if not person.is_superuser and not person.memberships.exists():
        person.is_active = False
        person.save(update_fields=["is_active"])
    audit.record(
        AuditEvent.Kind.PERSON_REMOVE,
        user=user,
        organisation=organisation.slug,
        person=person.username,
        role=role,
    )


def send_set_password_email(request, person: User) -> bool:
    """Email ``person`` the link to set their password (Django's reset token and email, through
    the site's own templates). False when it could not be sent: the page says so."""
    form = PasswordResetForm({"email": person.email})
    if not person.email or not form.is_valid():
        return False
    try:
        # Only this person (a reset form would email every active login with this address).
        context = {
            "email": person.email,
            "domain": request.get_host(),
            "site_name": "Improvement plan tracker",
            "uid": urlsafe_base64_encode(force_bytes(person.pk)),
            "user": person,
            "token": default_token_generator.make_token(person),
            "protocol": "https" if request.is_secure() else "http",
        }
        form.send_mail(
            "registration/new_person_subject.txt",
            "registration/new_person_email.txt",
            context,
            None,
            person.email,
        )
    except Exception:  # an email that cannot go must not undo the person's membership
        logger.exception("The set-password email to %s could not be sent", person.username)
        return False
    return True
