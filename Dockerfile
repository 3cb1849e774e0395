# The OVOP engine's image: the worker (`ovop-worker`), and the `ovop` command that
# docker-compose.yml runs for `ovop db upgrade` and `ovop temporal setup`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The versions uv.lock pins, as `make run` and `make test` install them; the project itself
# last, so a code change does not reinstall the dependencies' layer.
ARG UV_VERSION=0.13.9
ENV UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    PATH=/app/.venv/bin:$PATH
RUN pip install uv==${UV_VERSION}
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY records ./records
COPY documents ./documents
COPY api ./api
COPY web ./web
COPY intake ./intake
COPY reports ./reports
COPY cli ./cli
COPY migrations ./migrations
COPY worker.py starter.py settings.py bootstrap.py integrations.py codec.py converter.py devstack.py demo.py provision.py ./
# The documents' folder belongs to the user the API runs as: a named volume mounted there
# takes the folder's owner when it is first created.
RUN uv sync --frozen --no-dev --no-editable \
    && useradd --system --uid 10001 --home-dir /app ovop \
    && mkdir -p /var/lib/ovop/documents && chown ovop /var/lib/ovop/documents

USER ovop
CMD ["ovop-worker"]
