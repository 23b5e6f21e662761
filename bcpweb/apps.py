from django.apps import AppConfig


class BcpwebConfig(AppConfig):
    name = "bcpweb"
    verbose_name = "BCP WEB"
