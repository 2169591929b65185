"""Schemathesis hooks for tools/api-check/run.sh: the rules of the Tote API
that OpenAPI cannot state, taught to the generator and the checks. Each is
written in the document's descriptions too; nothing else is excused.

1. The op id of a mutating call travels in the body's `op_id` or in the
   `Idempotency-Key` header: one is required and, when both are sent, they
   must be equal. A generated positive case gets the header set to the
   body's op id, or, when it has neither, a fresh op id in the header.

2. JSON Schema counts `2.0` as an integer; the server reads integer fields
   only from integer literals (serde), as every client sends them, and no
   number beyond what a double holds. Positive cases get integral floats
   written as integers, and such numbers (in unknown fields) replaced by 0;
   an empty integer path parameter (sent as "null") becomes 1.

3. Some 400 answers depend on the data or the caller, not on the shape of
   the request, so no schema can rule them out: a reference to master data
   that does not exist, a value another record already holds, a field only
   some callers may leave out. Such a 400 is not counted against "valid
   data should be accepted" (ST202), and only when `field` and the message
   say exactly that (REFUSALS below).

4. Many-item endpoints (`POST /api/v1/orders/batch`, `POST /api/v1/ops`)
   answer 200 with one verdict per item: an order or op that breaks a rule
   is `rejected` in its own result, so a device's queue never stalls behind
   one bad op. "Invalid data should be rejected" (ST201) is met when the
   200's results reject an item; a broken envelope is still a 400.

The run's summary counts what rules 3 and 4 excuse as dropped by
`filter_failure`.
"""

import json
import uuid

import schemathesis
from schemathesis.generation import GenerationMode

HEADER = "Idempotency-Key"


def _positive(case) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


# What an IEEE double holds; serde_json refuses a number beyond it, even in
# a field it would ignore.
DOUBLE_MAX = 1.7e308


def _integers(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > DOUBLE_MAX:
        return 0
    if isinstance(value, list):
        return [_integers(v) for v in value]
    if isinstance(value, dict):
        return {k: _integers(v) for k, v in value.items()}
    return value


def _batch_ids_differ(body):
    orders = body.get("orders") if isinstance(body, dict) else None
    if not isinstance(orders, list):
        return
    seen = set()
    for i, order in enumerate(orders):
        if isinstance(order, dict) and isinstance(order.get("request_id"), str):
            if order["request_id"] in seen:
                order["request_id"] = f"{order['request_id']}-{i}"
            seen.add(order["request_id"])


@schemathesis.hook
def map_case(ctx, case):
    if not _positive(case):
        return case
    # A positive case's integer path parameter left empty is sent by the
    # fuzzer as the text "null" (GET /api/v1/picking-tasks/null), which is
    # no schema-valid id: it gets the first id instead.
    if case.path_parameters:
        case.path_parameters = {
            k: 1 if v is None or v == "null" else v for k, v in case.path_parameters.items()
        }
    if case.body is not None and not isinstance(case.body, (bytes, str)):
        case.body = _integers(case.body)
        _batch_ids_differ(case.body)
    if any(p.name == HEADER for p in case.operation.headers):
        headers = dict(case.headers or {})
        body_op = case.body.get("op_id") if isinstance(case.body, dict) else None
        if body_op is not None:
            if HEADER in headers:
                if body_op.isascii() and body_op.isprintable():
                    headers[HEADER] = body_op
                else:
                    del headers[HEADER]
        elif headers.get(HEADER) is None:
            headers[HEADER] = f"api-check-{uuid.uuid4()}"
        case.headers = headers
    return case


# (field, words of the message) of a 400 that the data or the caller decides.
REFUSALS = (
    # Master data that does not exist.
    ("warehouse", "unknown warehouse"),
    ("location", "unknown location"),
    ("from_location", "unknown location"),
    # A move to where the stock already is.
    ("to_location", "same as from_location"),
    # A barcode another product holds.
    ("barcode", "already used by"),
    # A reservation that belongs to a fulfillment (released with it).
    ("reservation_id", "held by fulfillment"),
    # A wave whose criteria match no pending task.
    ("criteria", "no pending picking task matches"),
    # GS1 elements must be what the scanned text says.
    ("gs1", "not what the text says"),
    # Supervisors and admins must say which queue, and whom to assign.
    ("queue", "required"),
    ("worker_id", "required"),
)


PER_ITEM = ("/api/v1/orders/batch", "/api/v1/ops")


def _rejects_an_item(response) -> bool:
    try:
        results = json.loads(response.content).get("results") or []
    except (ValueError, AttributeError):
        return False
    return any(isinstance(r, dict) and r.get("status") == "rejected" for r in results)


@schemathesis.hook
def filter_failure(ctx, failure, case, response) -> bool:
    if failure.code == "ST201" and case.operation.path in PER_ITEM and response.status_code == 200:
        return not _rejects_an_item(response)
    if failure.code != "ST202" or response.status_code != 400:
        return True
    try:
        error = json.loads(response.content)
    except ValueError:
        return True
    if not isinstance(error, dict):
        return True
    field, message = error.get("field") or "", error.get("message") or ""
    field = field.rsplit(".", 1)[-1]
    return not any(field == f and words in message for f, words in REFUSALS)
