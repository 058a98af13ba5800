"""Stored PDFs and pending uploads in S3-compatible object storage, as with several app servers.

A real S3 server (moto's server mode) is started on 127.0.0.1 by the test; the site talks to it over
HTTP through django-storages exactly as it would to a council's provider."""

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from improvement import storage
from plans.models import Plan
from plans.periods import Month
from reports import closing
from reports.models import Document
from tests.plans.workbook_helpers import workbook
from tests.reports.pdf_helpers import page_texts, run_worker

pytestmark = pytest.mark.django_db
JULY = Month(2009, 7)
BUCKET = "council-documents"


def test_the_local_folder_is_the_default():
    assert storage.default_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storage.default_storage({"S3_BUCKET": "  "})["BACKEND"].endswith("FileSystemStorage")


def test_a_bucket_in_the_environment_chooses_object_storage():
    assert storage.default_storage(
        {
            "S3_BUCKET": "council-documents",
            "S3_ENDPOINT_URL": "https://objects.example.gov.uk",
            "S3_REGION": "eu-west-2",
            "S3_PREFIX": "/bromsgrove/",
        }
    ) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "council-documents",
            "endpoint_url": "https://objects.example.gov.uk",
            "region_name": "eu-west-2",
            "access_key": None,
            "secret_key": None,
            "location": "bromsgrove",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, media_root):
    """An empty bucket, and the site's default storage pointed at it (as the environment would)."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=BUCKET)
    environment = {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_server,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_PREFIX": "site",
    }
    settings.STORAGES = {**settings.STORAGES, "default": storage.default_storage(environment)}

    def keys():
        listing = client.list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    yield keys
    for key in keys():
        client.delete_object(Bucket=BUCKET, Key=key)
    client.delete_bucket(Bucket=BUCKET)


def test_published_pdfs_are_kept_in_the_bucket_and_served_from_it(
    client_as, role_user, plan, bucket, media_root, django_capture_on_commit_callbacks
):
    performance = role_user("performance")
    closing.close_month(plan, JULY, performance)
    run_worker()

    stored = bucket()
    assert len(stored) == 2 and all(
        key.startswith("site/documents/") and key.endswith(".pdf") for key in stored
    )
    assert not any(media_root.iterdir()), "nothing is written to the local folder"

    response = client_as("clerk").get(
        reverse("reports:appendix-pdf", kwargs={"slug": "small", "month": JULY})
    )
    assert response.status_code == 200 and response.streaming
    pages = page_texts(b"".join(response.streaming_content))
    assert "Exception Report for July 2009 Improvement Plan Appendix 1" in pages[0]
    assert "Draft" not in pages[0]

    # Re-opening the month discards the published copies from the bucket too.
    with django_capture_on_commit_callbacks(execute=True):
        closing.reopen_month(plan, JULY, performance, "A late update from the lead")
    assert not Document.objects.exists()
    assert bucket() == []


def test_an_upload_waits_in_the_bucket_between_preview_and_confirmation(client_as, bucket, media_root):
    # The preview and the confirmation may be answered by different app servers: the upload and its
    # reading wait in the shared bucket, not on one server's disk.
    client = client_as("performance")
    response = client.post(
        reverse("plans:import"), {"file": SimpleUploadedFile("plan.xlsx", workbook()), "slug": "shared"}
    )
    preview_url = response["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    assert bucket() == [f"site/workbook-imports/{token}.json", f"site/workbook-imports/{token}.xlsx"]
    assert not any(media_root.iterdir())

    assert client.get(preview_url).status_code == 200
    client.post(preview_url)
    assert Plan.objects.filter(slug="shared").exists()
    assert bucket() == []
