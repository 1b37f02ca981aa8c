"""The container option (Dockerfile, compose.yaml): they parse and keep the promises deploy/README.md
makes. No Docker engine here: the compose file is read as YAML and checked service by service; the
Dockerfile is parsed instruction by instruction (and linted by hadolint or `docker compose config`
when they are installed)."""

import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {"migrate", "web-1", "web-2", "worker", "scheduler"}
DOCKERFILE_INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG",
    "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}  # fmt: skip


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def readme_variables() -> set[str]:
    """Every variable named in README's environment table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))


def test_compose_runs_the_production_topology(compose):
    services = compose["services"]
    assert set(services) == APP_SERVICES | {"postgres", "redis"}
    commands = {name: " ".join(services[name]["command"]) for name in APP_SERVICES}
    assert commands["web-1"] == commands["web-2"] and commands["web-1"].startswith("uvicorn hub.asgi:application ")
    assert "--proxy-headers" in commands["web-1"] and "--forwarded-allow-ips=*" in commands["web-1"]  # nginx through Docker's bridge
    assert "--ws-per-message-deflate=false" in commands["web-1"], "a live frame is not compressed once per socket"
    assert commands["worker"] == "python manage.py task_worker --queue-name default"
    assert commands["scheduler"] == "python manage.py run_periodic --loop"
    assert commands["migrate"] == "python manage.py bootstrap --no-demo"
    assert services["migrate"]["restart"] == "no"
    # Two web processes, published on the host's loopback only, on the ports nginx balances over.
    assert services["web-1"]["ports"] == ["127.0.0.1:8001:8000"] and services["web-2"]["ports"] == ["127.0.0.1:8002:8000"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server 127.0.0.1:8001;" in nginx and "server 127.0.0.1:8002;" in nginx
    for name in ("web-1", "web-2"):
        assert "/readyz" in " ".join(services[name]["healthcheck"]["test"])


def test_every_app_service_shares_one_image_and_waits_for_its_dependencies(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"] == "." and service["image"] == "${MAILLAGE_IMAGE:-maillage:local}", name
        for dependency, rule in service["depends_on"].items():
            assert dependency in services, (name, dependency)
            assert rule["condition"] in {"service_healthy", "service_completed_successfully"}
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], dependency
    for name in APP_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert set(services["migrate"]["depends_on"]) == {"postgres"}


def test_compose_is_configured_by_environment_variables_only(compose):
    environment = compose["services"]["web-1"]["environment"]
    assert environment["DJANGO_SETTINGS_MODULE"] == "hub.settings.production"
    # Secrets and host names are required variables, never values written in the file.
    for key in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"):
        assert re.fullmatch(r"\$\{" + key + r":\?[^}]+\}", environment[key]), key
    assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    # Every variable the application reads is one README documents.
    assert set(environment) <= readme_variables()
    # Every variable the example .env sets is one compose.yaml uses.
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", (ROOT / "compose.yaml").read_text()))
    example = (ROOT / "deploy" / "compose.env.example").read_text()
    assert {line.lstrip("# ").split("=", 1)[0] for line in example.splitlines() if re.match(r"#? ?[A-Z_]+=", line)} <= used
    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "ALLOWED_HOSTS", "SITE_URL"} <= set(re.findall(r"^([A-Z_]+)=", example, re.M))


def test_postgres_and_redis_have_health_checks_and_data_lives_in_volumes(compose):
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:17"  # the image's pg_dump is Debian trixie's 17
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert services["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert "postgres-data" in compose["volumes"]
    mounts = {volume.rsplit(":", 1)[1] for volume in services["worker"]["volumes"]}
    assert mounts == {"/data/media", "/data/private-media"}


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    instructions, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        current += " " + stripped.removesuffix("\\").strip() if current else stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            keyword, _, arguments = current.partition(" ")
            instructions.append((keyword, arguments.strip()))
            current = ""
    assert not current, "a continuation line ends the file"
    return instructions


def test_dockerfile_parses_and_builds_a_slim_non_root_image(compose):
    instructions = dockerfile_instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    keywords = [keyword for keyword, _ in instructions]
    assert set(keywords) <= DOCKERFILE_INSTRUCTIONS, set(keywords) - DOCKERFILE_INSTRUCTIONS
    assert keywords[0] == "ARG" and instructions[0][1].startswith("PYTHON_IMAGE=python:3.12-slim")
    assert [args for keyword, args in instructions if keyword == "FROM"] == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]
    final = keywords[len(keywords) - 1 - keywords[::-1].index("FROM") :]
    final_instructions = instructions[len(instructions) - len(final) :]
    users = [args for keyword, args in final_instructions if keyword == "USER"]
    assert users == ["maillage"]
    runs = " ".join(args for keyword, args in final_instructions if keyword == "RUN")
    assert "useradd --system --uid 10001" in runs
    assert "collectstatic --noinput" in runs and "compile_translations" in runs
    # Everything after USER runs as that user; the build steps before it as root.
    assert keywords.index("USER") > max(i for i, keyword in enumerate(keywords) if keyword == "RUN")
    cmd = json.loads(next(args for keyword, args in final_instructions if keyword == "CMD"))  # exec form
    assert cmd[:2] == ["uvicorn", "hub.asgi:application"]
    # The same web command line as compose.yaml's, except whom it trusts for proxy headers:
    # compose's web role sits behind Docker's bridge, a bare image trusts FORWARDED_ALLOW_IPS.
    compose_web = [arg for arg in compose["services"]["web-1"]["command"] if not arg.startswith("--forwarded-allow-ips")]
    assert cmd == compose_web
    assert "-c requirements.lock" in " ".join(args for keyword, args in instructions if keyword == "RUN")
    assert not any(keyword == "ADD" for keyword in keywords)
    dockerignore = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "*.sqlite3*", "media", "private-media"} <= set(dockerignore)


def test_dockerfile_parser_catches_a_dangling_continuation():
    with pytest.raises(AssertionError):
        dockerfile_instructions("FROM python:3.12-slim\nRUN echo \\")


@pytest.mark.skipif(not shutil.which("hadolint"), reason="hadolint is not installed (not packaged in Debian)")
def test_hadolint_accepts_the_dockerfile():
    result = subprocess.run(["hadolint", str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _compose_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="the docker compose plugin is not installed")
def test_docker_compose_config_accepts_the_file():
    env = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", "SITE_URL": "https://example.org", "POSTGRES_PASSWORD": "pw"}
    result = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        env={**env, "PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


def _nginx_blocks(text: str, opening: str) -> list[str]:
    """The bodies of the nginx blocks that open with ``opening`` (no nested braces in them)."""
    return re.findall(re.escape(opening) + r"[^{]*\{([^{}]*)\}", text)


def test_idle_connections_are_closed_by_nginx_before_uvicorn_closes_them(compose):
    """nginx keeps connections open to the ASGI processes; the side that sends requests must close
    an idle one first, or a request can go out on a connection the server is closing (a reset)."""
    nginx = re.sub(r"#[^\n]*", "", (ROOT / "deploy" / "nginx.conf").read_text())
    (upstream,) = _nginx_blocks(nginx, "upstream maillage_web")
    assert re.search(r"\bkeepalive \d+;", upstream)
    found = re.search(r"keepalive_timeout (\d+)s?;", upstream)
    nginx_idle = int(found.group(1)) if found else 60  # nginx's default
    # Without an empty Connection header nginx sends "close" and keeps nothing open.
    for location in ("location / ", "location = /readyz"):
        (body,) = _nginx_blocks(nginx, location)
        assert 'proxy_set_header Connection "";' in body and "proxy_http_version 1.1;" in body
    command_lines = {
        "compose.yaml": " ".join(compose["services"]["web-1"]["command"]),
        "Dockerfile": (ROOT / "Dockerfile").read_text(),
        "systemd": (ROOT / "deploy" / "systemd" / "maillage-web@.service").read_text(),
        "prod-like": (ROOT / "scripts" / "prod-like").read_text(),
        "bench/forum.py": (ROOT / "bench" / "forum.py").read_text(),
    }
    for where, text in command_lines.items():
        found = re.search(r"--timeout-keep-alive[= ]\"?(\d+)|\"--timeout-keep-alive\",\s*\"(\d+)\"", text)
        assert found, f"{where} leaves uvicorn's keep-alive at its default (5 s)"
        assert int(found.group(1) or found.group(2)) > nginx_idle, where


NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed here (make nginx)")
def test_nginx_accepts_the_configuration(tmp_path):
    """``nginx -t`` on deploy/nginx.conf, with a throwaway certificate and ports (Debian 12's nginx
    is 1.22: no "http2 on;")."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=t"],
        check=True,
        capture_output=True,
    )
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(r"/etc/letsencrypt/\S+/fullchain\.pem", str(cert), site)
    site = re.sub(r"/etc/letsencrypt/\S+/privkey\.pem", str(key), site)
    site = site.replace("listen 80;", "listen 127.0.0.1:18080;").replace("listen 443 ", "listen 127.0.0.1:18443 ")
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed here (make nginx)")
def test_the_benches_measure_through_the_deploys_upstream(tmp_path):
    """The benches (``forum.py``, ``load.py --nginx``) put nginx in front of their ASGI processes
    with deploy/nginx.conf's own upstream lines (balancing, keep-alive) and proxying: nginx
    accepts what it writes."""
    from bench.benchlib import nginx_config

    conf = nginx_config(18090, [18091, 18092], tmp_path)
    (upstream,) = _nginx_blocks(conf, "upstream maillage_web")
    deploy = re.sub(r"#[^\n]*", "", (ROOT / "deploy" / "nginx.conf").read_text())
    for line in re.findall(r"^\s*((?:least_conn|keepalive)\b[^;]*;)", deploy, re.M):
        assert line in upstream
    assert "server 127.0.0.1:18091;" in upstream and "server 127.0.0.1:18092;" in upstream and "8001" not in upstream
    assert 'proxy_set_header Connection "";' in conf and "proxy_set_header Connection $connection_upgrade;" in conf
    (tmp_path / "nginx.conf").write_text(conf)
    result = subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed here (make nginx)")
def test_nginx_sends_static_files_compressed_from_their_gz_twins(tmp_path):
    """A stock nginx compresses text/html only: the site's gzip_types and gzip_static make the
    CSS and JavaScript travel compressed, from the .gz files collectstatic writes."""
    static = tmp_path / "static"
    static.mkdir()
    css = b".card { margin: 0 } " * 200
    (static / "site.css").write_bytes(css)
    (static / "site.css.gz").write_bytes(gzip.compress(css, 9))
    (static / "app.js").write_bytes(b"const x = 1; " * 200)  # no twin: compressed on the fly
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    (server,) = [block for block in re.split(r"\nserver \{", site) if "listen 443" in block]
    server = re.sub(r"\n\s*(listen|ssl_\w+)[^;]*;", "", server).replace("/srv/maillage/staticfiles/", f"{static}/")
    port = free_port()
    main = tmp_path / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers that may read pytest's private tmp_path
    main.write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n"
        f" upstream maillage_web {{ server 127.0.0.1:9; }}\n map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}\n"
        f" server {{\n listen 127.0.0.1:{port};{server}\n}}\n"
    )
    nginx = subprocess.Popen([NGINX, "-c", str(main), "-p", str(tmp_path), "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        for _ in range(50):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        for name, body in (("site.css", css), ("app.js", (static / "app.js").read_bytes())):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/static/{name}", headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.headers["Content-Encoding"] == "gzip", name
                assert "Accept-Encoding" in response.headers.get("Vary", "")
                assert gzip.decompress(response.read()) == body
        plain = urllib.request.Request(f"http://127.0.0.1:{port}/static/site.css")
        with urllib.request.urlopen(plain, timeout=5) as response:
            assert response.headers.get("Content-Encoding") is None and response.read() == css
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
