# Dibs as a container image: `dibs serve --http` on port 3000, as a non-root user.
#
#   deploy/base-image.sh                                  # no registry: build localhost/debian-base:bookworm
#   podman build --format docker -t dibs .                # (--format docker keeps the HEALTHCHECK)
#   docker build --build-arg BASE_IMAGE=python:3.11-slim -t dibs .   # where a registry is reachable
#
#   podman run --rm -p 3000:3000 --env-file .env dibs                 # migrates, then serves
#   podman run --rm --env-file .env dibs dibs migrate                 # the migrations alone, as a one-shot
#
# deploy/smoke.sh builds both images and proves one against PostgreSQL and a fake Slack.
# The base needs python3 (3.11+) with venv and CA certificates; both stages must use the same base,
# since the venv's python is a link to the base's interpreter.
ARG BASE_IMAGE=localhost/debian-base:bookworm

# ---------------------------------------------------------------- build: a venv at /opt/dibs
FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN python3 -m venv /opt/dibs
# Behind a TLS-inspecting proxy, hand pip the proxy's CA bundle for the build only (it is not in the image):
#   podman build -v /etc/ssl/certs/ca-certificates.crt:/run/build-ca.crt:ro --build-arg BUILD_CA_CERT=/run/build-ca.crt
ARG BUILD_CA_CERT=
WORKDIR /src
# The dependencies first, from pyproject.toml alone: this layer stays cached until they change.
COPY pyproject.toml ./
RUN /opt/dibs/bin/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && if [ -n "$BUILD_CA_CERT" ]; then export PIP_CERT="$BUILD_CA_CERT"; fi \
    && /opt/dibs/bin/pip install -r /tmp/requirements.txt
# Then Dibs itself (bot, handlers, store and the migrations; README.md is the package's readme).
COPY README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY store ./store
RUN if [ -n "$BUILD_CA_CERT" ]; then export PIP_CERT="$BUILD_CA_CERT"; fi \
    && /opt/dibs/bin/pip install --no-deps . \
    && /opt/dibs/bin/dibs --version \
    && /opt/dibs/bin/python -m pip uninstall --yes --quiet pip setuptools

# ---------------------------------------------------------------- runtime: the venv (without pip), no compilers, no caches
FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="dibs" \
      org.opencontainers.image.description="A Slack bot that makes sure every marketing follow-up has an owner." \
      org.opencontainers.image.licenses="MIT"
# A system user without a login; its home is the working directory, where a SQLite dibs.db would land
# (SQLite means one process: use PostgreSQL for more than one replica). A fixed, numeric id, so that
# Kubernetes's runAsNonRoot can check it and a volume's owner can be set to match (fsGroup: 10001).
RUN groupadd --system --gid 10001 dibs \
    && useradd --system --uid 10001 --gid dibs --create-home --home-dir /var/lib/dibs --shell /usr/sbin/nologin dibs
COPY --from=build /opt/dibs /opt/dibs
ENV PATH=/opt/dibs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LANG=C.UTF-8
USER 10001:10001
WORKDIR /var/lib/dibs
EXPOSE 3000
# curl is not in the base: Python asks. The port is `dibs serve --http`'s default (3000).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status != 200)"]
# `dibs serve` runs the migrations first (in a child process, under the database's lock, so replicas
# starting together are safe), then serves Slack's requests at POST /slack/events. SIGTERM stops it cleanly.
CMD ["dibs", "serve", "--http", "--host", "0.0.0.0", "--port", "3000"]
