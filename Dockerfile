# Sagsflow: BPMN case engine for barnets lov. Production image: authentication must be configured
# (SAGSFLOW_OIDC_ISSUER, SAGSFLOW_OIDC_AUDIENCE, SAGSFLOW_OIDC_JWKS_URL) and usually PostgreSQL
# (SAGSFLOW_DATABASE_URL=postgresql+psycopg://...).

# The pages' libraries (bpmn-js, Chart.js) from npm, exactly as scripts/setup-web installs them.
FROM node:20-slim AS web
WORKDIR /src
COPY web ./web
COPY scripts/setup-web ./scripts/setup-web
RUN scripts/setup-web

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TZ=UTC \
    SAGSFLOW_HOST=0.0.0.0 SAGSFLOW_PORT=8080 \
    SAGSFLOW_DATABASE_URL=sqlite:////var/lib/sagsflow/sagsflow.db \
    SAGSFLOW_WORKFLOWS_DIR=/app/workflows

RUN groupadd --system sagsflow && useradd --system --gid sagsflow --home /app sagsflow \
    && mkdir -p /var/lib/sagsflow && chown sagsflow:sagsflow /var/lib/sagsflow

# xmlsec1 verifies and decrypts SAML assertions (sign-in through KOMBIT's Context Handler).
RUN apt-get update && apt-get install -y --no-install-recommends xmlsec1 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY api ./api
COPY workflows ./workflows
COPY --from=web /src/api/web/static/vendor ./api/web/static/vendor
RUN pip install --no-cache-dir . && rm -rf /root/.cache

USER sagsflow
EXPOSE 8080
# `sagsflow serve` refuses to start without authentication and runs uvicorn without its access
# log (request URLs may carry business keys).
CMD ["sh", "-c", "exec sagsflow serve --host ${SAGSFLOW_HOST} --port ${SAGSFLOW_PORT} --workers ${SAGSFLOW_WORKERS:-2}"]
