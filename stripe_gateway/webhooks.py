"""Stripe webhooks without Odoo: signatures, event payloads, a signed test post.

Stripe signs each delivery with the endpoint's signing secret (``whsec_…``): the
``Stripe-Signature`` header carries ``t=<unix time>`` and one or more ``v1=<hex>``
HMAC-SHA256 of ``"<t>.<raw body>"``. See https://docs.stripe.com/webhooks#verify-manually.
The SDK's ``stripe.WebhookSignature`` computes the same signature; the check is done
here on the raw bytes so that a body which is not UTF-8 is refused like any other.
"""

import hashlib
import hmac
import json
import secrets
import time

import requests

from .shapes import object_id

SIGNATURE_HEADER = "Stripe-Signature"
SCHEME = "v1"
# Stripe's own libraries refuse deliveries signed more than five minutes ago.
DEFAULT_TOLERANCE = 300
MAX_BODY_BYTES = 1024 * 1024
SECRET_PREFIX = "whsec_"
# Every write the addon sends carries an idempotency key from
# ``client.idempotency_key()``; Stripe echoes it in ``event.request``.
ODOO_IDEMPOTENCY_PREFIX = "hd-"
TEST_EVENT_TYPE = "helpdesk_stripe.test"
TEST_TIMEOUT = 10.0
# 9999-12-31T23:59:59Z: later "created" values are no timestamps.
MAX_TIMESTAMP = 253402300799

# Objects whose ``customer`` field names the customer an event is about.
_CUSTOMER_OBJECTS = ("charge", "subscription", "invoice", "payment_intent")


class WebhookError(ValueError):
    """A delivery that must be refused.

    ``kind`` is one of ``no_secret``, ``no_signature``, ``bad_header``,
    ``bad_signature``, ``stale``, ``not_json`` or ``not_event``.
    """

    def __init__(self, kind, message=""):
        super().__init__(message or kind)
        self.kind = kind


def compute_signature(timestamp, body, secret):
    """Hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with ``secret``.

    :param int timestamp: Unix time of the signature
    :param bytes body: the raw request body
    :param str secret: the endpoint's signing secret
    """
    if isinstance(body, str):
        body = body.encode()
    signed = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(body, secret, timestamp=None):
    """The ``Stripe-Signature`` header Stripe would send for ``body``."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp},{SCHEME}={compute_signature(timestamp, body, secret)}"


def _parse_header(header):
    timestamp = None
    signatures = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return None, []
        elif key == SCHEME and value:
            signatures.append(value)
    return timestamp, signatures


def verify_signature(body, header, secret, tolerance=DEFAULT_TOLERANCE, now=None):
    """Check a delivery's ``Stripe-Signature`` header against ``secret``.

    Every ``v1`` signature of the header is compared in constant time; the
    signature time must be within ``tolerance`` seconds of ``now`` (either way).

    :param bytes body: the raw request body, exactly as received
    :param str header: the ``Stripe-Signature`` header (or ``None``)
    :param str secret: the endpoint's signing secret
    :return: the signature's timestamp
    :raise WebhookError: ``no_secret``, ``no_signature``, ``bad_header``,
        ``bad_signature`` or ``stale``
    """
    if not secret:
        raise WebhookError("no_secret", "No signing secret is configured")
    if not header:
        raise WebhookError("no_signature", "No Stripe-Signature header")
    timestamp, signatures = _parse_header(header)
    if timestamp is None or not signatures:
        raise WebhookError("bad_header", "Unreadable Stripe-Signature header")
    expected = compute_signature(timestamp, body, secret).encode()
    matched = False
    for candidate in signatures:
        # compare_digest on every candidate: the time taken tells nothing.
        matched |= hmac.compare_digest(expected, candidate.encode("ascii", "replace"))
    if not matched:
        raise WebhookError("bad_signature", "No signature matches the body")
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise WebhookError("stale", f"Signature time {timestamp} is out of tolerance")
    return timestamp


def _request_info(value):
    """``(request id, idempotency key)`` of ``event.request`` (any API version)."""
    if isinstance(value, str):  # before 2017-05-25 it was the request id alone
        return value, None
    if isinstance(value, dict):
        return value.get("id"), value.get("idempotency_key")
    return None, None


def event_customer_id(obj):
    """The customer an event's object is about, when the object says it."""
    if not isinstance(obj, dict):
        return None
    kind = obj.get("object")
    if kind == "customer":
        return obj.get("id")
    if kind in _CUSTOMER_OBJECTS:
        return object_id(obj.get("customer"))
    return None


def parse_event(body):
    """A delivered event as a plain dict.

    :param bytes body: the raw request body
    :return: ``{"id", "type", "created", "livemode", "api_version", "object",
        "object_type", "previous_attributes", "request_id", "idempotency_key",
        "customer_id"}``
    :raise WebhookError: ``not_json`` or ``not_event``
    """
    try:
        # Stripe sends UTF-8; the body is stored as text.
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise WebhookError("not_json", "The body is not UTF-8 JSON") from err
    if not isinstance(data, dict) or data.get("object", "event") != "event":
        raise WebhookError("not_event", "The body is not a Stripe event")
    event_id, event_type = data.get("id"), data.get("type")
    payload = data.get("data")
    if not (
        isinstance(event_id, str)
        and event_id
        and isinstance(event_type, str)
        and event_type
        and isinstance(payload, dict)
        and isinstance(payload.get("object"), dict)
    ):
        raise WebhookError("not_event", "The event has no id, type or object")
    if "\x00" in text or "\\u0000" in text:
        # PostgreSQL stores no NUL character in text.
        raise WebhookError("not_event", "The event contains a NUL character")
    obj = payload["object"]
    previous = payload.get("previous_attributes")
    request_id, idempotency_key = _request_info(data.get("request"))
    created = data.get("created")
    return {
        "id": event_id[:255],
        "type": event_type[:255],
        # A real timestamp (1970 to 9999), else unknown.
        "created": created
        if isinstance(created, int) and 0 <= created < MAX_TIMESTAMP
        else None,
        "livemode": bool(data.get("livemode")),
        "api_version": data.get("api_version") or "",
        "object": obj,
        "object_type": obj.get("object") or "",
        "previous_attributes": previous if isinstance(previous, dict) else {},
        "request_id": request_id,
        "idempotency_key": idempotency_key,
        "customer_id": event_customer_id(obj),
    }


def made_by_odoo(event, metadata_key):
    """True when the event reports a change the addon itself sent to Stripe.

    Two signs, either suffices: the request that caused the event carried one
    of the addon's idempotency keys (``hd-…``); or the object was created, or
    had its ``metadata_key`` set, by that very change (a refund's metadata, or
    ``previous_attributes`` showing the metadata was written just now). A
    subscription keeps its metadata for life, so metadata alone does not make
    a later dashboard change an Odoo one.

    :param dict event: a :func:`parse_event` result
    :param str metadata_key: the metadata key the addon writes (ticket id)
    """
    key = event.get("idempotency_key") or ""
    if key.startswith(ODOO_IDEMPOTENCY_PREFIX):
        return True
    obj = event.get("object") or {}
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    if metadata_key not in metadata:
        return False
    if obj.get("object") == "refund":
        return True
    previous = event.get("previous_attributes") or {}
    return "metadata" in previous


def build_test_event(company_ref):
    """A signed-test event naming the company, for the settings' check."""
    now = int(time.time())
    return {
        "id": f"evt_test_{secrets.token_hex(12)}",
        "object": "event",
        "type": TEST_EVENT_TYPE,
        "created": now,
        "livemode": False,
        "data": {"object": {"object": "helpdesk_stripe.test", "id": str(company_ref)}},
    }


def post_signed(url, event, secret, timeout=TEST_TIMEOUT):
    """POST ``event`` to ``url`` signed with ``secret``, as Stripe would.

    :return: ``(status, text)``; status ``None`` when nothing answered
    """
    body = json.dumps(event).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(body, secret),
    }
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout)
    except requests.RequestException as err:
        return None, str(err)
    return response.status_code, response.text[:500]
