from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo (Bromsgrove 2008/09 and 2009/10)"
