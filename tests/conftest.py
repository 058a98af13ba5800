import pytest

from plans.models import Organisation
from tests.factories import ROLE_GROUPS, give_role, load_demo, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo logins and test users are created many times; real hashing is for real users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Stored PDFs and workbook uploads go to a directory of the test's own, never the project's
    media/ (a test that needs to look in it asks for this fixture)."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture
def role_user(db, request):
    """role_user("cmt") -> a user in that role at the test council (or a plain user for "none");
    the same user each time a test asks for the role. In a test of the demo plans the role is
    held at the demo's council (Bromsgrove) too."""
    made = {}
    uses_demo = bool({"demo", "demo_db"} & set(request.fixturenames))

    def build(role: str):
        if role not in made:
            # Named apart from the demo logins, which the session-wide demo data also holds.
            if role == "none":
                made[role] = make_user("test-nobody")
            elif role == "admin":
                made[role] = make_user("test-root", is_superuser=True, is_staff=True)
            else:
                made[role] = make_user(f"test-{role}", ROLE_GROUPS[role])
                if uses_demo:
                    give_role(made[role], ROLE_GROUPS[role], Organisation.objects.get(slug="bromsgrove"))
        return made[role]

    return build


@pytest.fixture
def client_as(client, role_user):
    def login(role: str):
        client.force_login(role_user(role))
        return client

    return login


@pytest.fixture(scope="session")
def demo_db(django_db_setup, django_db_blocker):
    """The demo plans, loaded once for the whole session (tests that use it must not write)."""
    with django_db_blocker.unblock():
        load_demo()
    yield


@pytest.fixture
def demo(demo_db, db):
    from plans.models import Plan

    return {
        "2009": Plan.objects.get(slug="bromsgrove-2009-10"),
        "2008": Plan.objects.get(slug="bromsgrove-2008-09"),
    }


# Sessions expire after a working day of inactivity, so every request refreshes its session
# (SESSION_SAVE_EVERY_REQUEST): savepoint, update, release. Query budgets of pages add these.
SESSION_REFRESH_QUERIES = 3
