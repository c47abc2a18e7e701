"""schemathesis against the live app's OpenAPI document: bounded, seeded examples for every
read (GET), valid and invalid, sent with a token; no 5xx and no answer that breaks the
document (status, content type, headers, schema).

schemathesis's pytest plugin resolves fixtures through a pytest internal that pytest 9
removed, so each operation's test is built here from ``APIOperation.as_strategy``.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis import GenerationMode

from tests.conftest import LiveServer
from tests.web.api_world import seed
from web.openapi import openapi_document

MAX_EXAMPLES = 25
DOCUMENT = openapi_document("http://x")
READS = sorted(path for path, ops in DOCUMENT["paths"].items() if "get" in ops)
# Invalid examples need something to break: a parameter or the token.
BREAKABLE = [p for p in READS if DOCUMENT["paths"][p]["get"]["parameters"]
             or "security" in DOCUMENT["paths"][p]["get"]]  # fmt: skip
CASES = [(p, GenerationMode.POSITIVE) for p in READS]
CASES += [(p, GenerationMode.NEGATIVE) for p in BREAKABLE]


@pytest.fixture
def live_api(settings, engine):
    token = seed(engine, settings)
    with LiveServer(settings) as live:
        live.wait_indexed(lambda: live.app.state.index.count() == 3)
        yield live, token


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_api_reads_keep_to_the_document(live_api, path, mode):
    live, token = live_api
    schema = schemathesis.openapi.from_url(live.url + "/api/v1/openapi.json")
    operation = schema[path]["GET"]
    headers = {"Authorization": f"Bearer {token}"}

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,  # the same examples on every run
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        r = case.call_and_validate(headers=headers)
        print("CALL", r.status_code, case.formatted_path, case.query)

    check()
