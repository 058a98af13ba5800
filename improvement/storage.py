"""Where stored PDFs and pending uploads live, from the environment.

One app server keeps them in ``MEDIA_ROOT``. Several app servers (and the task worker beside them)
must share one store, or a PDF rendered by one would be missing on the next: set ``S3_BUCKET`` and the
files go to S3-compatible object storage through django-storages instead. Nothing else changes: the
code reads and writes through Django's storage API only, and the files are never served by URL (the
views check the reader's permission and stream them).
"""

from collections.abc import Mapping


def default_storage(environ: Mapping[str, str]) -> dict:
    """The ``STORAGES["default"]`` entry for this environment."""
    bucket = environ.get("S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    def optional(name: str) -> str | None:
        return environ.get(name, "").strip() or None

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # A provider other than AWS (MinIO, Ceph, a council's own) is reached by its endpoint.
            "endpoint_url": optional("S3_ENDPOINT_URL"),
            "region_name": optional("S3_REGION"),
            # Unset, boto3 finds credentials itself (instance role, ~/.aws, AWS_* variables).
            "access_key": optional("S3_ACCESS_KEY_ID"),
            "secret_key": optional("S3_SECRET_ACCESS_KEY"),
            "location": environ.get("S3_PREFIX", "").strip().strip("/"),
            # A re-render is saved under a new name and swapped in once stored; overwriting in
            # place would let a reader get half of the old copy and half of the new.
            "file_overwrite": False,
            # Private objects: no public ACL and no public URLs.
            "default_acl": None,
            "querystring_auth": True,
        },
    }
