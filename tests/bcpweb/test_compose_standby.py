"""docker-compose.yml's second site: a standby database, a web on it, Celery only later."""

import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _in_profile(profile: str) -> set[str]:
    return {name for name, svc in SERVICES.items() if profile in svc.get("profiles", [])}


def test_the_standby_profile_is_a_second_site_without_celery_or_migrations():
    assert _in_profile("standby") == {"postgres-standby", "redis-standby", "web-standby"}
    assert _in_profile("promoted") == {"worker-standby", "beat-standby"}
    standby_env = SERVICES["web-standby"]["environment"]
    assert "@postgres-standby:5432/" in standby_env["DATABASE_URL"]
    assert standby_env["REDIS_URL"].startswith("redis://redis-standby:")
    for name in ("worker-standby", "beat-standby"):
        assert SERVICES[name]["environment"] == standby_env


def test_the_second_site_runs_the_same_portal_as_the_first():
    primary, standby = SERVICES["web"], SERVICES["web-standby"]
    assert standby["image"] == primary["image"] and standby["command"] == primary["command"]
    assert set(standby["environment"]) >= set(primary["environment"])
    assert standby["environment"]["SECRET_KEY"] == primary["environment"]["SECRET_KEY"]
    assert SERVICES["worker-standby"]["command"] == SERVICES["worker"]["command"]
    assert SERVICES["beat-standby"]["command"] == SERVICES["beat"]["command"]
    # Its own files: the snapshot of the board and uploads are not Tokyo's.
    assert standby["volumes"] != primary["volumes"]


def test_the_database_scripts_are_valid_shell():
    for script in ("primary-replication.sh", "standby-entrypoint.sh"):
        path = ROOT / "deploy" / "postgres" / script
        assert subprocess.run(["sh", "-n", str(path)], capture_output=True).returncode == 0
    entrypoint = (ROOT / "deploy" / "postgres" / "standby-entrypoint.sh").read_text()
    assert "pg_basebackup" in entrypoint and " -R " in entrypoint
