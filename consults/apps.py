from django.apps import AppConfig


class ConsultsConfig(AppConfig):
    name = "consults"
    verbose_name = "Live consults with the mental-health team"
