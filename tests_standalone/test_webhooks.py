"""Webhook signatures and event parsing, against the SDK's own signing code."""

import json
import time

import pytest
import stripe

from stripe_gateway import webhooks
from stripe_gateway.client import idempotency_key

SECRET = "whsec_test_secret_1234567890"
OTHER_SECRET = "whsec_other_secret_0987654321"


def sdk_header(body, secret, timestamp=None):
    """A header signed by the official SDK's helper, as Stripe sends it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    payload = body.decode() if isinstance(body, bytes) else body
    signature = stripe.WebhookSignature._compute_signature(
        f"{timestamp}.{payload}", SECRET if secret is None else secret
    )
    return f"t={timestamp},v1={signature}"


def event_body(**overrides):
    event = {
        "id": "evt_1",
        "object": "event",
        "type": "charge.refunded",
        "created": 1700000000,
        "livemode": False,
        "api_version": "2026-10-28.endive",
        "data": {
            "object": {"id": "ch_1", "object": "charge", "customer": "cus_1"},
            "previous_attributes": {"amount_refunded": 0},
        },
        "request": {"id": "req_1", "idempotency_key": "abc"},
    }
    event.update(overrides)
    return json.dumps(event).encode()


def test_sdk_signature_is_accepted():
    body = event_body()
    assert webhooks.verify_signature(body, sdk_header(body, SECRET), SECRET)


def test_own_signature_is_accepted_by_the_sdk():
    body = event_body()
    header = webhooks.sign(body, SECRET)
    assert stripe.WebhookSignature.verify_header(body, header, SECRET, 300)


def test_one_of_several_signatures_suffices():
    body = event_body()
    now = int(time.time())
    good = sdk_header(body, SECRET, now).split("v1=")[1]
    header = f"t={now},v1={'0' * 64},v0=legacy,v1={good}"
    assert webhooks.verify_signature(body, header, SECRET) == now


@pytest.mark.parametrize(
    "header, kind",
    [
        (None, "no_signature"),
        ("", "no_signature"),
        ("garbage", "bad_header"),
        ("t=abc,v1=00", "bad_header"),
        ("t=1700000000", "bad_header"),
        ("v1=deadbeef", "bad_header"),
    ],
)
def test_missing_or_unreadable_header(header, kind):
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.verify_signature(event_body(), header, SECRET)
    assert info.value.kind == kind


def test_tampered_body_is_refused():
    body = event_body()
    header = sdk_header(body, SECRET)
    tampered = body.replace(b"cus_1", b"cus_2")
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.verify_signature(tampered, header, SECRET)
    assert info.value.kind == "bad_signature"


def test_other_secret_is_refused():
    body = event_body()
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.verify_signature(body, sdk_header(body, OTHER_SECRET), SECRET)
    assert info.value.kind == "bad_signature"


def test_no_secret_configured():
    body = event_body()
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.verify_signature(body, sdk_header(body, SECRET), "")
    assert info.value.kind == "no_secret"


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_stale_or_future_timestamp_is_refused(age):
    body = event_body()
    now = time.time()
    header = sdk_header(body, SECRET, int(now - age))
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.verify_signature(body, header, SECRET, now=now)
    assert info.value.kind == "stale"


def test_within_tolerance_is_accepted():
    body = event_body()
    now = time.time()
    header = sdk_header(body, SECRET, int(now) - 290)
    assert webhooks.verify_signature(body, header, SECRET, now=now) == int(now) - 290


def test_non_utf8_body_is_refused_not_crashing():
    body = b"\xff\xfe{not json"
    header = webhooks.sign(body, SECRET)
    assert webhooks.verify_signature(body, header, SECRET)
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.parse_event(body)
    assert info.value.kind == "not_json"


def test_non_ascii_signature_value_is_refused():
    body = event_body()
    header = f"t={int(time.time())},v1=é{'0' * 63}"
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.verify_signature(body, header, SECRET)
    assert info.value.kind == "bad_signature"


def test_parse_event():
    event = webhooks.parse_event(event_body())
    assert event["id"] == "evt_1"
    assert event["type"] == "charge.refunded"
    assert event["created"] == 1700000000
    assert event["customer_id"] == "cus_1"
    assert event["object_type"] == "charge"
    assert event["previous_attributes"] == {"amount_refunded": 0}
    assert event["request_id"] == "req_1"
    assert event["idempotency_key"] == "abc"
    assert event["livemode"] is False


def test_parse_event_old_request_shape_and_customer_object():
    body = event_body(
        request="req_old",
        type="customer.updated",
        data={"object": {"id": "cus_9", "object": "customer"}},
    )
    event = webhooks.parse_event(body)
    assert event["request_id"] == "req_old"
    assert event["idempotency_key"] is None
    assert event["customer_id"] == "cus_9"
    assert event["previous_attributes"] == {}


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b'{"object": "charge", "id": "ch_1"}',
        b'{"id": "evt_1", "object": "event", "data": {"object": {}}}',
        b'{"id": "evt_1", "type": "x", "data": {"object": "ch_1"}}',
        b'{"id": 5, "type": "x", "data": {"object": {}}}',
    ],
)
def test_parse_event_refuses_what_is_not_an_event(body):
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.parse_event(body)
    assert info.value.kind == "not_event"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # Signed but malformed: a 400 for the endpoint, never a 500.
        (json.dumps({"id": "evt_1"}).encode("utf-16"), "not_json"),
        (b"[" * 100_000 + b"]" * 100_000, "not_json"),
        (b'{"id": "evt_\\u0000", "type": "x", "data": {"object": {}}}', "not_event"),
    ],
)
def test_parse_event_refuses_malformed_bodies(body, kind):
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.parse_event(body)
    assert info.value.kind == kind


@pytest.mark.parametrize("created", [10**20, -(10**15), "1700000000", 1.5])
def test_parse_event_ignores_impossible_timestamps(created):
    body = json.dumps(
        {"id": "evt_1", "type": "x", "created": created, "data": {"object": {}}}
    ).encode()
    assert webhooks.parse_event(body)["created"] is None


def test_refund_customer_is_not_guessed():
    body = event_body(
        type="refund.created",
        data={"object": {"id": "re_1", "object": "refund", "charge": "ch_1"}},
    )
    assert webhooks.parse_event(body)["customer_id"] is None


def _event(obj, previous=None, idempotency=None):
    return {
        "object": obj,
        "previous_attributes": previous or {},
        "idempotency_key": idempotency,
    }


def test_made_by_odoo_idempotency_key():
    key = idempotency_key("refund", 42, "ch_1")
    assert key.startswith(webhooks.ODOO_IDEMPOTENCY_PREFIX)
    assert webhooks.made_by_odoo(_event({}, idempotency=key), "helpdesk_ticket_id")
    assert not webhooks.made_by_odoo(
        _event({}, idempotency="dashboard-uuid"), "helpdesk_ticket_id"
    )


def test_made_by_odoo_metadata():
    key = "helpdesk_ticket_id"
    refund = {"object": "refund", "metadata": {key: "7"}}
    assert webhooks.made_by_odoo(_event(refund), key)
    sub = {"object": "subscription", "metadata": {key: "7"}}
    # Metadata written by this very update: Odoo's change.
    assert webhooks.made_by_odoo(_event(sub, {"metadata": {}}), key)
    # Metadata left by an earlier Odoo action: a later dashboard change.
    assert not webhooks.made_by_odoo(_event(sub, {"cancel_at_period_end": False}), key)
    assert not webhooks.made_by_odoo(_event({"object": "refund", "metadata": {}}), key)


def test_post_signed_reaches_nothing_cleanly():
    from localstripe_process import free_port

    event = webhooks.build_test_event(1)
    status, text = webhooks.post_signed(
        f"http://127.0.0.1:{free_port()}/x", event, SECRET, timeout=2
    )
    assert status is None
    assert text
    assert event["type"] == webhooks.TEST_EVENT_TYPE


def test_refunds_of_a_charge_for_charge_refunded_events(localstripe, gateway):
    # charge.refunded in the 2026 API does not embed the refunds: they are read.
    from seed_localstripe import Seeder

    seeder = Seeder(localstripe.url)
    customer = seeder.customer("refunds@example.com", "Refunds")
    seeder.card(customer["id"])
    charge = seeder.charge(customer["id"], 10000, "usd", "Setup")
    first = seeder.refund(charge["id"], 1000)
    second = seeder.refund(charge["id"], 2000)
    refunds = gateway.list_refunds(charge["id"], limit=10)
    assert {r["id"]: r["amount"] for r in refunds} == {
        first["id"]: 1000,
        second["id"]: 2000,
    }
    assert {r["charge_id"] for r in refunds} == {charge["id"]}
