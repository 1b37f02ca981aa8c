# syntax=docker/dockerfile:1
# Maillage in a container: the alternative to the systemd units (deploy/README.md, "Containers").
# One image for every role — web (uvicorn), task worker, scheduler — chosen by the command;
# configured only by environment variables (README, "Environment variables"). compose.yaml runs
# the whole topology. Build: `docker build -t maillage .`

ARG PYTHON_IMAGE=python:3.12-slim-trixie

# --- build: a virtualenv with the runtime dependencies, pinned by requirements.lock -------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
COPY pyproject.toml requirements.lock ./
# The runtime dependencies of pyproject.toml (no test tools), at the versions of the lock file.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > runtime.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install -r runtime.txt -c requirements.lock

# --- runtime ------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=hub.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    PRIVATE_MEDIA_ROOT=/data/private-media
# pg_dump/pg_restore for `manage.py backup` and `restore` (Debian trixie: PostgreSQL 17, as compose.yaml).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 maillage \
    && useradd --system --uid 10001 --gid maillage --home-dir /app --no-create-home --shell /usr/sbin/nologin maillage \
    && mkdir -p /data/media /data/private-media \
    && chown -R maillage:maillage /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The code stays owned by root: the application user can write only /data (uploads).
COPY . .
# Translations compiled and static files collected at build time (with a throw-away key: neither
# step reads the database or the secret).
RUN SECRET_KEY=build-only-not-secret DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py compile_translations \
    && SECRET_KEY=build-only-not-secret DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput -v 0 \
    && rm -f /tmp/build.sqlite3*
USER maillage
EXPOSE 8000
# The web role (the same command line as compose.yaml's, which also gives the worker and the
# scheduler their own command). uvicorn trusts X-Forwarded-* from FORWARDED_ALLOW_IPS (its own
# variable; 127.0.0.1 when unset): set it to the reverse proxy's address.
CMD ["uvicorn", "hub.asgi:application", "--host=0.0.0.0", "--port=8000", "--proxy-headers", \
     "--ws=websockets-sansio", "--ws-per-message-deflate=false", "--lifespan=off", "--no-access-log", \
     "--timeout-graceful-shutdown=15", "--timeout-keep-alive=75"]
