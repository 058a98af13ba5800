from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit record"

    def ready(self) -> None:
        # Logins happen inside django.contrib.auth: its signals are the only place to see them.
        from audit import signals  # noqa: F401
