# The OVOP engine's image: the worker (`ovop-worker`), and the `ovop` command that
# docker-compose.yml runs for `ovop db upgrade` and `ovop temporal setup`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY records ./records
COPY api ./api
COPY intake ./intake
COPY reports ./reports
COPY cli ./cli
COPY migrations ./migrations
COPY worker.py starter.py settings.py bootstrap.py integrations.py codec.py devstack.py provision.py ./
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app ovop

USER ovop
CMD ["ovop-worker"]
