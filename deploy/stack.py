"""`make stack`: the Procfile's production processes on this machine, run by honcho.

    python -m deploy.stack [--port 8080] [--email-host H --email-port N] [--set NAME=VALUE]
                           [process ...]

First it prepares, each time and idempotently: the var directory (``var/stack/``), its
environment file (``stack.env``, with a SECRET_KEY generated once and kept; var/ is never
committed), the database (created when missing), migrations, collected static files, and
the nginx config rendered from ``deploy/nginx.conf``. Then it becomes honcho running the
Procfile with that environment: every process, or only those named.

Production settings throughout, on this machine's PostgreSQL and Redis, with its own database
(``bcpweb_stack``) and Redis db (12). There is no TLS here, so the HTTPS redirect and secure
cookies are explicitly off; docker-compose.yml documents when to turn them on.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
BIN = Path(sys.executable).parent
# What a process may inherit from the shell that starts the stack; everything else comes
# from the environment file, so a developer's exported test variables never leak in.
_INHERITED = ("HOME", "LANG", "LC_ALL", "TERM", "TMPDIR", "TZ", "USER", "LOGNAME")
# Before the processes start: compose's one-shot `migrate` service runs the same commands.
RELEASE = (("migrate", "--noinput"), ("collectstatic", "--noinput"))
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
_PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$", re.M)


@dataclass
class StackConfig:
    port: int = 8080
    web_port: int | None = None  # gunicorn; the port after nginx's unless given
    database_url: str = "postgres://postgres@127.0.0.1:5432/bcpweb_stack"
    redis_url: str = "redis://127.0.0.1:6379/12"
    var_dir: Path = ROOT / "var" / "stack"
    email_host: str | None = None  # None: e-mail is printed by the worker
    email_port: int = 25
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def gunicorn_address(self) -> str:
        return f"127.0.0.1:{self.web_port or self.port + 1}"

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env_file(self) -> Path:
        return self.var_dir / "stack.env"


def app_environment(config: StackConfig, *, secret_key: str) -> dict[str, str]:
    """The variables of web, worker and beat: the same names as compose's x-bcpweb-env."""
    var = config.var_dir.resolve()
    smtp = config.email_host is not None
    return {
        "DJANGO_SETTINGS_MODULE": "bcpweb.settings.production",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"{config.site_url},http://localhost:{config.port}",
        "SITE_URL": config.site_url,
        "DATABASE_URL": config.database_url,
        "REDIS_URL": config.redis_url,
        "STATIC_ROOT": str(var / "static"),
        "MEDIA_ROOT": str(var / "media"),
        "PROTECTED_MEDIA_ROOT": str(var / "protected"),
        "BOARD_PUBLISH_DIR": str(var / "published"),
        "BCPWEB_VAR_DIR": str(var),
        "EMAIL_BACKEND": "django.core.mail.backends."
        + ("smtp.EmailBackend" if smtp else "console.EmailBackend"),
        "EMAIL_HOST": config.email_host or "localhost",
        "EMAIL_PORT": str(config.email_port),
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": "false",
        "DEFAULT_FROM_EMAIL": "BCP WEB <bcpweb@localhost>",
        "OTP_REQUIRED": "true",
        # Plain HTTP on loopback: no TLS terminates in front of this stack.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "AXES_PROXY_COUNT": "1",
        "GUNICORN_BIND": config.gunicorn_address,
        "WEB_CONCURRENCY": "2",
        "CELERY_WORKER_CONCURRENCY": "2",
    }


def nginx_environment(config: StackConfig) -> dict[str, str]:
    """The placeholders of deploy/nginx.conf: compose's nginx service sets the same names."""
    var = config.var_dir.resolve()
    return {
        "NGINX_LISTEN": f"127.0.0.1:{config.port}",
        "BCPWEB_UPSTREAM": config.gunicorn_address,
        "STATIC_ROOT": str(var / "static"),
        "PROTECTED_MEDIA_ROOT": str(var / "protected"),
        "BOARD_PUBLISH_DIR": str(var / "published"),
    }


def procfile_processes(path: Path = PROCFILE) -> dict[str, str]:
    return dict(_PROCFILE_LINE.findall(path.read_text()))


def render_template(text: str, values: dict[str, str]) -> str:
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise SystemExit(f"deploy/nginx.conf needs values for: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def _main_nginx_conf(prefix: Path) -> str:
    # As root, nginx would hand its workers to "nobody", who may not read a private var dir;
    # this stack listens on loopback only.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        "# Written by deploy/stack.py for `make stack`; the site is in conf.d/.\n"
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log stderr notice;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        "    access_log /dev/stdout;\n    sendfile on;\n"
        f"{temp}\n    include {prefix / 'conf.d'}/*.conf;\n}}\n"
    )


def write_nginx(config: StackConfig) -> Path:
    prefix = config.var_dir.resolve() / "nginx"
    for path in (prefix / "conf.d", prefix / "tmp"):
        path.mkdir(parents=True, exist_ok=True)
    site = render_template(NGINX_TEMPLATE.read_text(), nginx_environment(config))
    (prefix / "conf.d" / "bcpweb.conf").write_text(site)
    main = prefix / "nginx.conf"
    main.write_text(_main_nginx_conf(prefix))
    return main


def read_env_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    values = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.startswith("#"):
            values[name.strip()] = shlex.split(value)[0] if value.strip() else ""
    return values


def write_env_file(config: StackConfig) -> dict[str, str]:
    """The processes' environment, in the file honcho reads; the secret survives restarts."""
    secret = read_env_file(config.env_file).get("SECRET_KEY") or secrets.token_urlsafe(50)
    values = {**app_environment(config, secret_key=secret), **nginx_environment(config)}
    values.update(config.overrides)
    config.var_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# Written by deploy/stack.py (make stack); never commit it."]
    lines += [f"{name}={shlex.quote(value)}" for name, value in values.items()]
    config.env_file.touch(mode=0o600)
    config.env_file.chmod(0o600)
    config.env_file.write_text("\n".join(lines) + "\n")
    return values


def process_environment(values: dict[str, str]) -> dict[str, str]:
    env = {name: os.environ[name] for name in _INHERITED if name in os.environ}
    env["PATH"] = os.pathsep.join([str(BIN), os.environ.get("PATH", "/usr/bin:/bin")])
    # nginx lives in /usr/sbin, which is not on every user's PATH.
    env["PATH"] += os.pathsep + "/usr/sbin"
    env.update(values)
    return env


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    name = params.pop("dbname")
    try:
        with psycopg.connect(**params, dbname="postgres", autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        raise SystemExit(f"PostgreSQL is not reachable for the stack: {error}") from error


def prepare(config: StackConfig) -> dict[str, str]:
    values = write_env_file(config)
    for name in ("static", "media", "protected", "published"):
        (config.var_dir / name).mkdir(parents=True, exist_ok=True)
    create_database(config.database_url)
    # Unbuffered, so whoever watches the output (a person, the stack test) sees each step
    # as it happens rather than all of it when the step ends.
    env = {**process_environment(values), "PYTHONUNBUFFERED": "1"}
    for command in RELEASE:
        print(f"BCP WEB stack: manage.py {' '.join(command)}", flush=True)
        result = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env)
        if result.returncode != 0:
            raise SystemExit(f"manage.py {command[0]} failed for the stack")
    write_nginx(config)
    return values


def honcho_command(config: StackConfig, names: list[str]) -> list[str]:
    return [
        str(BIN / "honcho"),
        "start",
        "--no-colour",
        "-f",
        str(PROCFILE),
        "-e",
        str(config.env_file.resolve()),
        *names,
    ]


def _parse(argv: list[str]) -> tuple[StackConfig, list[str]]:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.stack", description=__doc__.split("\n")[0]
    )
    parser.add_argument("processes", nargs="*", help="Procfile processes (default: all)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port")
    parser.add_argument("--web-port", type=int, help="gunicorn's port (default: --port + 1)")
    parser.add_argument("--database-url", default=StackConfig.database_url)
    parser.add_argument("--redis-url", default=StackConfig.redis_url)
    parser.add_argument("--var-dir", type=Path, default=StackConfig.var_dir)
    parser.add_argument("--email-host", help="SMTP server (default: e-mail printed by the worker)")
    parser.add_argument("--email-port", type=int, default=25)
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="any other variable"
    )
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            parser.error(f"--set takes NAME=VALUE, not {item!r}")
        overrides[name] = value
    unknown = sorted(set(args.processes) - set(procfile_processes()))
    if unknown:
        parser.error(f"not in the Procfile: {', '.join(unknown)}")
    config = StackConfig(
        port=args.port,
        web_port=args.web_port,
        database_url=args.database_url,
        redis_url=args.redis_url,
        var_dir=args.var_dir.resolve(),
        email_host=args.email_host,
        email_port=args.email_port,
        overrides=overrides,
    )
    return config, args.processes


def main(argv: list[str]) -> None:
    config, names = _parse(argv)
    values = prepare(config)
    print(f"BCP WEB stack: {config.site_url} (nginx) · settings in {config.env_file}", flush=True)
    os.chdir(ROOT)
    command = honcho_command(config, names)
    os.execve(command[0], command, process_environment(values))


if __name__ == "__main__":
    main(sys.argv[1:])
