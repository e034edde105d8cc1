# peercoach serve in a container: docker build -t peercoach . (see README, "Deploying to a
# container platform with a managed PostgreSQL"). deploy/compose.yml runs two of these on one
# PostgreSQL.

# Build the wheel (it carries the content) in a throwaway stage.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md LICENSE ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY content ./content
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
# A user of its own, and the data folder (0700) it owns before the volume is declared, so a
# new volume starts out owned by it.
RUN useradd --system --user-group --uid 10001 --create-home --home-dir /home/peercoach peercoach \
 && install -d -o peercoach -g peercoach -m 0700 /data
COPY --from=build /wheels /tmp/wheels
RUN pip install /tmp/wheels/*.whl && rm -rf /tmp/wheels
USER peercoach
WORKDIR /home/peercoach
ENV PEERCOACH_DATA_DIR=/data \
    PORT=3978
VOLUME ["/data"]
EXPOSE 3978
# The image has no curl: python's urllib asks /healthz, and a 503 (or no answer) fails it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3978') + '/healthz', timeout=4)"]
# Exec form: peercoach is PID 1 and gets the SIGTERM of a stop, then finishes cleanly.
CMD ["peercoach", "serve"]
