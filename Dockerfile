# briefing-bot: one bot token per container. Build: docker build -t briefing-bot .
# The database lives on the /data volume; settings come from the environment (compose: env_file .env).

FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY storage storage
# Every dependency ships manylinux wheels: no compiler is needed, here or below.
RUN pip install . && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} +

FROM python:3.12-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PTB_TIMEDELTA=true \
    BRIEFING_DB=/data/briefing.db \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    LOG_FORMAT=json
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin briefing \
    && mkdir -p /data && chown briefing:briefing /data
COPY --from=build /opt/venv /opt/venv
USER briefing
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["briefing", "health"]
ENTRYPOINT ["briefing"]
CMD ["run"]
