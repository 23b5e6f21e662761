"""docker-compose.yml runs what the Procfile runs: the same commands, the same variables.

`make stack` runs the Procfile here (deploy/stack.py writes its environment); compose runs
each process as a service. No Docker engine is needed to see that they have drifted apart.
"""

import json
import re
import shlex
from pathlib import Path

import yaml

from deploy import stack
from tests.bcpweb.test_env_example import _read_by_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PROCFILE = stack.procfile_processes()
# The nginx options that point the local nginx at the files deploy/stack.py writes; the image
# finds the same site at its default place (the template rendered into conf.d/).
LOCAL_NGINX_OPTIONS = ("-p", "-c", "-e")


def _compose_command(service: str) -> list[str]:
    # In a compose file "$$" is a literal "$".
    return [part.replace("$$", "$") for part in SERVICES[service]["command"]]


def _procfile_command(name: str) -> list[str]:
    return shlex.split(PROCFILE[name])


def _app_services() -> set[str]:
    """The first site's portal processes (the second site's, in profiles, are checked by
    tests/bcpweb/test_compose_standby.py against these)."""
    return {
        name
        for name, service in SERVICES.items()
        if "build" in service and not service.get("profiles")
    }


def test_compose_has_a_service_for_each_procfile_process_and_the_release_step():
    assert set(PROCFILE) == {"web", "worker", "beat", "nginx"}
    assert _app_services() == {"web", "worker", "beat", "migrate"}
    assert "nginx" in SERVICES


def test_the_app_services_run_the_procfile_commands():
    for name in ("web", "worker", "beat"):
        assert _compose_command(name) == _procfile_command(name), name


def test_the_image_starts_the_web_process_by_default():
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    assert json.loads(cmd) == _procfile_command("web")


def test_the_migrate_service_runs_the_release_steps_of_make_stack():
    steps = " && ".join(shlex.join(["python", "manage.py", *step]) for step in stack.RELEASE)
    assert _compose_command("migrate") == ["sh", "-c", steps]


def test_nginx_runs_the_same_site_template_in_the_foreground():
    local = _procfile_command("nginx")
    for option in LOCAL_NGINX_OPTIONS:
        index = local.index(option)
        del local[index : index + 2]
    assert _compose_command("nginx") == local == ["nginx", "-g", "daemon off;"]
    mounts = [v.split(":")[:2] for v in SERVICES["nginx"]["volumes"]]
    assert ["./deploy/nginx.conf", "/etc/nginx/templates/default.conf.template"] in mounts


def test_the_nginx_template_gets_the_same_variables_in_both():
    placeholders = set(re.findall(r"\$\{([A-Z0-9_]+)\}", stack.NGINX_TEMPLATE.read_text()))
    local = set(stack.nginx_environment(stack.StackConfig()))
    assert placeholders == local == set(SERVICES["nginx"]["environment"])


def test_the_app_services_get_the_variables_that_make_stack_sets():
    shared = COMPOSE["x-bcpweb-env"]
    for name in _app_services():
        assert SERVICES[name]["environment"] == shared, name
    local = stack.app_environment(stack.StackConfig(), secret_key="unused")
    assert set(shared) == set(local)


def test_every_shared_variable_is_read_by_the_settings_or_gunicorn():
    gunicorn = set(re.findall(r'environ\.get\("([A-Z_]+)"', stack.GUNICORN_CONFIG.read_text()))
    known = _read_by_settings() | gunicorn | {"DJANGO_SETTINGS_MODULE"}
    assert sorted(set(COMPOSE["x-bcpweb-env"]) - known) == []


def test_the_stack_runs_production_settings_without_tls_said_out_loud():
    local = stack.app_environment(stack.StackConfig(), secret_key="unused")
    assert local["DJANGO_SETTINGS_MODULE"] == "bcpweb.settings.production"
    assert local["SECURE_SSL_REDIRECT"] == "false"
    assert local["SITE_URL"] == "http://127.0.0.1:8080"
