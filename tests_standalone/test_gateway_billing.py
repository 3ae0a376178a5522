"""Refund and cancellation calls: localstripe (older shapes) and a canned
current-API Stripe at the SDK's HTTP seam (what localstripe lacks)."""

import time

import pytest
from fake_stripe import FakeStripe
from localstripe_process import TEST_KEY
from seed_localstripe import Seeder

from stripe_gateway import StripeGateway, StripeGatewayError
from stripe_gateway.billing import clean_metadata


@pytest.fixture
def seeder(localstripe):
    return Seeder(localstripe.url)


@pytest.fixture
def fake():
    return FakeStripe()


@pytest.fixture
def hosted(fake):
    """A gateway to Stripe's own address, answered by the fake."""
    return StripeGateway(TEST_KEY, http_client=fake, read_retries=0)


def subscribed(seeder, amount=2900, currency="usd"):
    customer = seeder.customer("sub@example.com", "Sub Scriber")
    seeder.card(customer["id"])
    seeder.plan(f"plan-{currency}", "Pro", amount, currency)
    return customer, seeder.subscribe(customer["id"], f"plan-{currency}")


# === localstripe === #


def test_local_refund_keeps_reason_in_metadata(seeder, gateway):
    assert gateway.is_local
    customer = seeder.customer("r@example.com", "R")
    seeder.card(customer["id"])
    charge = seeder.charge(customer["id"], 5000, "usd")
    refund = gateway.create_refund(
        charge["id"],
        1250,
        "hd-key-1",
        reason="duplicate",
        metadata={"helpdesk_action_key": "k1", "ticket": 7},
    )
    assert refund["amount"] == 1250
    assert refund["currency"] == "usd"
    assert refund["charge_id"] == charge["id"]
    assert refund["metadata"] == {
        "helpdesk_action_key": "k1",
        "ticket": "7",
        "stripe_reason": "duplicate",
    }
    assert gateway.get_charge(charge["id"])["refundable"] == 3750
    found = gateway.find_refund(charge["id"], "helpdesk_action_key", "k1")
    assert found["id"] == refund["id"]
    assert gateway.find_refund(charge["id"], "helpdesk_action_key", "k2") is None


def test_local_last_paid_invoice_and_its_charge(seeder, gateway):
    customer, sub = subscribed(seeder, 1200, "jpy")
    invoice = gateway.last_paid_invoice(sub["id"])
    assert invoice["amount_paid"] == 1200
    assert invoice["subscription_id"] == sub["id"]
    charge_id = gateway.invoice_charge_id(invoice)
    charge = gateway.get_charge(charge_id)
    assert charge["customer_id"] == customer["id"]
    assert charge["amount"] == 1200


def test_local_cancel_now_and_at_period_end(seeder, gateway):
    _customer, sub = subscribed(seeder)
    scheduled = gateway.set_cancel_at_period_end(
        sub["id"], True, "hd-key-2", comment="Too expensive", metadata={"t": 1}
    )
    # localstripe accepts (and ignores) subscription metadata; it would answer
    # 500 to cancellation_details, which the gateway does not send it.
    assert scheduled["cancel_at_period_end"] is True
    undone = gateway.set_cancel_at_period_end(sub["id"], False, "hd-key-3")
    assert undone["cancel_at_period_end"] is False
    cancelled = gateway.cancel_subscription(
        sub["id"], "hd-key-4", comment="Moved away", invoice_now=True, prorate=True
    )
    assert cancelled["status"] == "canceled"
    assert gateway.get_subscription(sub["id"])["status"] == "canceled"


def test_local_revoked_key_is_refused(localstripe, seeder):
    customer = seeder.customer("k@example.com", "K")
    seeder.card(customer["id"])
    charge = seeder.charge(customer["id"], 100, "usd")
    gateway = StripeGateway("rk_test_revoked12345", api_base=localstripe.url)
    with pytest.raises(StripeGatewayError) as info:
        gateway.create_refund(charge["id"], 100, "hd-key-5")
    assert info.value.kind == "authentication"


# === current API shapes (canned) === #


def test_hosted_refund_sends_reason_metadata_and_key(fake, hosted):
    customer = fake.customer()
    charge = fake.charge(customer["id"], 4000, "eur")
    assert not hosted.is_local
    refund = hosted.create_refund(
        charge["id"], 4000, "hd-abc", reason="fraudulent", metadata={"a": "b"}
    )
    [call] = fake.made("POST", "/v1/refunds")
    assert call["idempotency_key"] == "hd-abc"
    assert call["params"]["reason"] == "fraudulent"
    assert call["params"]["amount"] == "4000"
    assert call["params"]["metadata[a]"] == "b"
    assert "metadata[stripe_reason]" not in call["params"]
    assert refund["reason"] == "fraudulent"
    # Same key: Stripe answers the first refund again instead of a second one.
    again = hosted.create_refund(
        charge["id"], 4000, "hd-abc", reason="fraudulent", metadata={"a": "b"}
    )
    assert again["id"] == refund["id"]
    assert len(fake._by_type("refund")) == 1


def test_hosted_refund_without_reason_sends_none(fake, hosted):
    customer = fake.customer()
    charge = fake.charge(customer["id"], 4000, "usd")
    hosted.create_refund(charge["id"], 100, "hd-none")
    [call] = fake.made("POST", "/v1/refunds")
    assert "reason" not in call["params"]


def test_unknown_reason_is_refused_before_calling(hosted, fake):
    with pytest.raises(ValueError):
        hosted.create_refund("ch_x", 100, "hd-x", reason="because")
    assert not fake.calls


def test_hosted_invoice_charge_through_invoice_payments(fake, hosted):
    customer = fake.customer()
    now = int(time.time())
    sub = fake.subscription(customer["id"], 3000, "usd", now - 86400, now + 86400)
    charge = fake.charge(customer["id"], 3000, "usd")
    invoice = fake.paid_invoice(sub, charge)
    found = hosted.last_paid_invoice(sub["id"])
    assert found["id"] == invoice["id"]
    assert found["charge_id"] is None and found["payment_intent_id"] is None
    assert hosted.invoice_charge_id(found) == charge["id"]
    assert fake.made("GET", "/v1/invoice_payments")
    assert fake.made("GET", "/v1/payment_intents/")


def test_hosted_cancel_sends_cancellation_details(fake, hosted):
    customer = fake.customer()
    now = int(time.time())
    sub = fake.subscription(customer["id"], 3000, "usd", now - 10, now + 1000)
    result = hosted.cancel_subscription(
        sub["id"], "hd-cancel", comment="Closing the shop", invoice_now=True
    )
    [call] = fake.made("DELETE", "/v1/subscriptions/")
    assert call["params"]["cancellation_details[comment]"] == "Closing the shop"
    assert call["params"]["invoice_now"] == "true"
    assert call["params"]["prorate"] == "false"
    assert call["idempotency_key"] == "hd-cancel"
    assert result["status"] == "canceled"


def test_hosted_schedule_sends_cancellation_details(fake, hosted):
    customer = fake.customer()
    now = int(time.time())
    sub = fake.subscription(customer["id"], 3000, "usd", now - 10, now + 1000)
    result = hosted.set_cancel_at_period_end(
        sub["id"], True, "hd-sched", comment="Budget", metadata={"t": "1"}
    )
    [call] = fake.made("POST", "/v1/subscriptions/")
    assert call["params"]["cancellation_details[comment]"] == "Budget"
    assert call["params"]["cancel_at_period_end"] == "true"
    assert "metadata[cancellation_comment]" not in call["params"]
    assert result["cancel_at_period_end"] is True
    assert result["cancel_at"] == now + 1000


@pytest.mark.parametrize(
    ("status", "kind"),
    [(402, "card"), (404, "not_found"), (429, "rate_limit"), (500, "api")],
)
def test_hosted_refund_failures_are_classified(fake, hosted, status, kind):
    fake.fail("POST", "/v1/refunds", status=status, message="Nope")
    with pytest.raises(StripeGatewayError) as info:
        hosted.create_refund("ch_x", 100, "hd-fail")
    assert info.value.kind == kind
    assert len(fake.made("POST", "/v1/refunds")) == 1, "writes are never retried"


def test_hosted_timeout_is_a_network_error(fake, hosted):
    fake.fail("POST", "/v1/refunds", status=None, timeout=True)
    with pytest.raises(StripeGatewayError) as info:
        hosted.create_refund("ch_x", 100, "hd-timeout")
    assert info.value.kind == "network"


def test_clean_metadata_limits():
    cleaned = clean_metadata({"k" * 60: "v" * 900, "n": None, "i": 3})
    assert cleaned == {"k" * 40: "v" * 500, "n": "", "i": "3"}


def test_payment_intent_charge_in_both_shapes():
    from stripe_gateway import shapes

    assert shapes.payment_intent_charge_id({"latest_charge": "ch_new"}) == "ch_new"
    assert shapes.payment_intent_charge_id({"latest_charge": {"id": "ch_x"}}) == "ch_x"
    old = {"charges": {"data": [{"id": "ch_old"}]}}
    assert shapes.payment_intent_charge_id(old) == "ch_old"
    assert shapes.payment_intent_charge_id({}) is None
