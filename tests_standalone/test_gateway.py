"""The gateway's error mapping, keys and idempotency keys (no network)."""

import pytest
import stripe

from stripe_gateway import StripeGateway, StripeGatewayError
from stripe_gateway.client import (
    api_base_is_valid,
    idempotency_key,
    key_is_valid,
    key_mode,
    map_error,
)


@pytest.mark.parametrize(
    "key",
    ["sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_abcdefgh12", "rk_live_ABCdef123456"],
)
def test_valid_keys(key):
    assert key_is_valid(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        None,
        "pk_test_abcdefgh12",
        "sk_test_",
        "sk_test_short",
        "sk_prod_abcdefgh12",
        "sk_test_abc def ghij",
        "whsec_abcdefghijkl",
    ],
)
def test_invalid_keys_refused_before_any_call(key):
    assert not key_is_valid(key)
    with pytest.raises(StripeGatewayError) as info:
        StripeGateway(key, api_base="http://127.0.0.1:9")
    assert info.value.kind == "invalid_key"


def test_key_mode():
    assert key_mode("sk_live_abcdefgh12") == "live"
    assert key_mode("rk_test_abcdefgh12") == "test"


def test_idempotency_key_is_stable_and_specific():
    first = idempotency_key("refund", 7, "ch_1", 500, 42)
    assert first == idempotency_key("refund", 7, "ch_1", 500, 42)
    assert first != idempotency_key("refund", 7, "ch_1", 501, 42)
    assert first.startswith("hd-") and len(first) <= 255


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (stripe.AuthenticationError("bad key", http_status=401), "authentication"),
        (stripe.PermissionError("restricted", http_status=403), "permission"),
        (stripe.CardError("declined", None, "card_declined", http_status=402), "card"),
        (stripe.IdempotencyError("reused", http_status=400), "idempotency"),
        (stripe.RateLimitError("slow down", http_status=429), "rate_limit"),
        (
            stripe.InvalidRequestError(
                "No such customer",
                "id",
                code="resource_missing",
                http_status=404,
                json_body={"error": {"code": "resource_missing"}},
            ),
            "not_found",
        ),
        (stripe.APIError("Invalid response body", http_status=404), "bad_address"),
        (
            stripe.InvalidRequestError("bad amount", "amount", http_status=400),
            "invalid_request",
        ),
        (stripe.APIConnectionError("timeout"), "network"),
        (stripe.APIError("boom", http_status=500), "api"),
    ],
)
def test_map_error(error, kind):
    mapped = map_error(error)
    assert mapped.kind == kind
    assert mapped.http_status == error.http_status


def test_rate_limit_keeps_retry_after():
    error = stripe.RateLimitError(
        "slow down", http_status=429, headers={"Retry-After": "7"}
    )
    mapped = map_error(error)
    assert mapped.retry_after == 7.0
    assert mapped.retryable


@pytest.mark.parametrize(
    "text, query",
    [
        ("ada", 'name~"ada" OR email~"ada"'),
        ("  ada@example.com ", 'name~"ada@example.com" OR email~"ada@example.com"'),
        ('Ada "X"', 'name~"Ada \\"X\\"" OR email~"Ada \\"X\\""'),
        ("a\\b", 'name~"a\\\\b" OR email~"a\\\\b"'),
        ("al", 'name:"al" OR email:"al"'),
    ],
)
def test_customer_search_query_escapes(text, query):
    from stripe_gateway.client import customer_search_query

    assert customer_search_query(text) == query


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("https://api.stripe.com", True),
        ("https://api.stripe.com/", True),
        ("http://127.0.0.1:8420", True),
        ("http://localhost:12111", True),
        ("http://api.stripe.com", False),
        ("http://127.0.0.1.evil.com", False),
        ("http://10.1.2.3", False),
        ("ftp://api.stripe.com", False),
        ("http://127.0.0.1:8429/v1", False),
        ("https://user:pw@api.stripe.com", False),
        ("https://api.stripe.com?x=1", False),
        ("http://127.0.0.1:99999", False),
        ("", False),
        ("api.stripe.com", False),
    ],
)
def test_api_base_is_valid(address, valid):
    assert api_base_is_valid(address) is valid
