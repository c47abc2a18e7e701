# govcode: the web node (`govcode serve`). Workers run the same image with `govcode worker`.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY registry ./registry
COPY crawlers ./crawlers
COPY web ./web
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres,redis]"

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 govcode
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER govcode
WORKDIR /home/govcode
ENV GOVCODE_HOST=0.0.0.0 GOVCODE_PORT=8000 GOVCODE_VAR_DIR=/home/govcode/var
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["govcode", "serve"]
