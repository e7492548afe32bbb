"""The OpenAPI document is true: every route is in it, and schemathesis finds no response that
breaks it on a live node over a real store (bounded examples, so this stays fast)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import CheckFunction
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import positive_data_acceptance

from node.api import create_app
from node.api.openapi import document
from node.snapshots import SnapshotMaker
from tests.node.api.builder import HRP, LiveChain

EXAMPLES_PER_OPERATION = 25


def test_every_route_is_documented(chain: LiveChain) -> None:
    app = create_app(chain.context())
    routes = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None and route.method != "HEAD"
    }
    doc = document("test", HRP)
    documented = {(method, path) for path, item in doc["paths"].items() for method in item}
    assert routes == documented


def test_the_document_is_valid_openapi() -> None:
    validate(document("test", HRP))


def test_the_live_document_is_what_the_code_builds(live_api: str) -> None:
    with urllib.request.urlopen(f"{live_api}/v1/openapi.json", timeout=10) as response:
        served = json.load(response)
    assert served == json.loads(json.dumps(document(served["info"]["version"], HRP)))


def _check(operation: schemathesis.APIOperation[Any, Any, Any, Any], base_url: str) -> None:
    """Run bounded, reproducible examples of one operation with every default check."""
    # A bech32m checksum is not a JSON Schema pattern: a well-shaped address may still be
    # refused (400), so "schema-valid data is accepted" cannot hold for address parameters.
    excluded: list[CheckFunction] = []
    if "{address}" in operation.path:
        excluded.append(positive_data_acceptance)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(base_url=base_url, excluded_checks=excluded)

    run()


def _snapshot(chain: LiveChain) -> None:
    """A snapshot of the chain's committed height in data/snapshots, as a node makes it."""
    store = chain.store
    block, commit = store.block(store.height), store.commit(store.height)
    assert block is not None and commit is not None
    maker = SnapshotMaker(store, store.path.parent / "snapshots", interval=1, keep=1)
    maker.on_commit(block, commit, None)
    maker.close()


def test_schemathesis_finds_no_response_that_breaks_the_document(
    chain: LiveChain, live_api: str
) -> None:
    _snapshot(chain)  # GET /v1/snapshots lists a real manifest
    schema = schemathesis.openapi.from_url(f"{live_api}/v1/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"an operation the document does not define well: {result.err()}")
            continue
        operation = result.ok()
        if operation.path == "/v1/ws":
            continue  # a WebSocket upgrade: tests/node/api/test_ws.py
        try:
            _check(operation, live_api)
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
