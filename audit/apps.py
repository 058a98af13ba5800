from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit record"

    def ready(self) -> None:
        # Logins happen inside django.contrib.auth: its signals are the only place to see them.
        from django.contrib.auth.signals import user_logged_in

        from audit import signals  # noqa: F401
        from improvement.sessions import stamp_on_login

        # Not audit, but the same hook: the log-in stamps the session's last refresh.
        user_logged_in.connect(stamp_on_login, dispatch_uid="session-stamp-on-login")
