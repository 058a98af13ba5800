"""What a logged-in person is sent is marked Cache-Control: private, so no shared cache keeps it;
static files, /healthz and anonymous pages are left as they were."""

import pytest
from django.test import Client

PLAN = "/plans/bromsgrove-2009-10/"
REPORT = "/reports/bromsgrove-2009-10/2009-07/"


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize(
    "url, content_type",
    [
        (PLAN, "text/html"),
        (PLAN + "export.csv", "text/csv"),
        (PLAN + "export.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (REPORT + "summary.json", "application/json"),
        (REPORT + "cover.pdf", "application/pdf"),
        (REPORT + "cover.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (REPORT + "cover/", "text/html"),
        ("/risks/", "text/html"),
    ],
)
def test_pages_exports_json_and_pdfs_for_a_logged_in_user_are_private(demo, client_as, url, content_type):
    response = client_as("clerk").get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "private" in cache_control(response)
    assert "public" not in cache_control(response)


def test_a_stricter_header_is_kept_as_it_is(client_as, db):
    anonymous = Client().get("/healthz")
    logged_in = client_as("clerk").get("/healthz")
    assert "no-store" in cache_control(logged_in)
    assert logged_in["Cache-Control"] == anonymous["Cache-Control"]


def test_static_files_are_not_marked_private(client_as, settings):
    # Whitenoise answers from the project's static folders here, as it does from STATIC_ROOT in
    # production; either way before any page is built.
    settings.WHITENOISE_USE_FINDERS = True
    response = client_as("clerk").get("/static/css/site.css")
    assert response.status_code == 200
    assert "private" not in cache_control(response)


def test_anonymous_pages_are_left_alone(client, db):
    response = client.get("/accounts/password_reset/")
    assert response.status_code == 200
    assert "private" not in cache_control(response)
