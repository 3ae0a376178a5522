"""The gateway against a Stripe that fails: 500, 429, garbage, silence."""

import time

import pytest
from fake_stripe_server import FakeStripe
from localstripe_process import TEST_KEY

from stripe_gateway import StripeGateway, StripeGatewayError
from stripe_gateway.client import idempotency_key


@pytest.fixture
def fake():
    with FakeStripe() as server:
        yield server


def gateway_for(fake, **kwargs):
    kwargs.setdefault("read_retries", 0)
    return StripeGateway(TEST_KEY, api_base=fake.url, **kwargs)


def failing_read(gateway):
    with pytest.raises(StripeGatewayError) as info:
        gateway.get_customer("cus_fault")
    return info.value


def test_500_on_a_read_is_retried_then_reported(fake):
    fake.mode = "500"
    err = failing_read(gateway_for(fake, read_retries=1))
    assert (err.kind, err.http_status, err.retryable) == ("api", 500, True)
    assert [r["path"] for r in fake.requests] == ["/v1/customers/cus_fault"] * 2


def test_429_with_retry_after(fake):
    fake.mode, fake.retry_after = "429", 7
    err = failing_read(gateway_for(fake, read_retries=2))
    assert (err.kind, err.http_status, err.retry_after) == ("rate_limit", 429, 7.0)
    # A 429 is never retried blindly by the SDK: the caller backs off.
    assert len(fake.requests) == 1


def test_429_without_retry_after(fake):
    fake.mode = "429"
    err = failing_read(gateway_for(fake))
    assert (err.kind, err.retry_after) == ("rate_limit", None)


def test_garbage_is_an_api_error(fake):
    fake.mode = "garbage"
    err = failing_read(gateway_for(fake, read_retries=2))
    assert err.kind == "api"
    assert len(fake.requests) == 1


def test_silence_times_out_quickly(fake):
    fake.mode = "hang"
    started = time.monotonic()
    err = failing_read(gateway_for(fake, timeout=0.3))
    assert err.kind == "network" and err.retryable
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("mode", ["500", "429", "garbage", "hang"])
def test_a_write_is_sent_once_with_its_idempotency_key(fake, mode):
    fake.mode = mode
    written = []
    gateway = gateway_for(
        fake, timeout=0.3, read_retries=2, on_write=lambda *a: written.append(a)
    )
    key = idempotency_key("update", 42, "cus_fault")
    for _attempt in range(2):  # the agent clicks again: same action, same key
        with pytest.raises(StripeGatewayError):
            gateway.update_customer("cus_fault", {"name": "New"}, key)
    posts = [r for r in fake.requests if r["method"] == "POST"]
    assert len(posts) == 2, "max_network_retries=0: one request per attempt"
    assert {r["idempotency_key"] for r in posts} == {key}
    assert all(r["form"] == {"name": "New"} for r in posts)
    if mode in ("500", "garbage", "hang"):  # Stripe may have applied it
        assert written == [(gateway.account, "cus_fault")] * 2
    else:  # a 429 is a refusal: nothing changed
        assert written == []


def test_a_successful_write_reports_its_customer(fake):
    written = []
    gateway = gateway_for(fake, on_write=lambda *a: written.append(a))
    gateway.update_customer("cus_ok", {"name": "New"}, idempotency_key("x", 1))
    assert written == [(gateway.account, "cus_ok")]
    [post] = fake.requests
    assert post["idempotency_key"] == idempotency_key("x", 1)


def test_a_failing_invalidation_does_not_hide_a_write(fake):
    def broken(*_args):
        raise RuntimeError("database gone")

    gateway = gateway_for(fake, on_write=broken)
    customer = gateway.update_customer("cus_ok", {"name": "N"}, idempotency_key("y"))
    assert customer["id"] == "cus_ok"


def test_unreachable_stripe_is_a_network_error():
    with FakeStripe() as fake:
        url = fake.url
    gateway = StripeGateway(TEST_KEY, api_base=url, read_retries=0)
    with pytest.raises(StripeGatewayError) as info:
        gateway.list_customers_by_email("a@example.com")
    assert info.value.kind == "network"
