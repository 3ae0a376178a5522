"""The gateway against a real localstripe process (older API shapes)."""

import pytest
from localstripe_process import TEST_KEY, free_port
from seed_localstripe import Seeder, seed_demo

from stripe_gateway import StripeGateway, StripeGatewayError


def test_account_falls_back_to_listing_customers(gateway):
    # localstripe has no GET /v1/account: the key is proven by another read.
    account = gateway.get_account()
    assert account["mode"] == "test"
    assert account["verified_by"] == "customers"


def test_rejected_key(localstripe):
    gateway = StripeGateway("rk_test_revoked12345", api_base=localstripe.url)
    with pytest.raises(StripeGatewayError) as info:
        gateway.get_account()
    assert info.value.kind == "authentication"
    assert info.value.http_status == 401


def test_unreachable_server_is_a_network_error():
    gateway = StripeGateway(
        TEST_KEY, api_base=f"http://127.0.0.1:{free_port()}", read_retries=0
    )
    with pytest.raises(StripeGatewayError) as info:
        gateway.get_customer("cus_x")
    assert info.value.kind == "network"
    assert info.value.retryable


def test_panel_bundle_of_seeded_customers(localstripe, gateway):
    made = seed_demo(localstripe.url)
    ada = gateway.fetch_panel(made["ada@example.com"])
    assert ada["customer"]["name"] == "Ada Lovelace"
    assert ada["customer"]["address"]["city"] == "San Francisco"
    [sub] = ada["subscriptions"]
    assert (sub["status"], sub["amount"], sub["currency"]) == ("active", 2900, "usd")
    assert sub["current_period_end"] > sub["current_period_start"]
    amounts = sorted(
        (p["amount"], p["amount_refunded"]) for p in ada["payments"]["data"]
    )
    assert amounts == [(2900, 0), (4500, 0), (15000, 5000)]
    [invoice] = ada["invoices"]["data"]
    assert invoice["status"] == "paid"
    assert invoice["subscription_id"] == sub["id"]

    chie = gateway.fetch_panel(made["chie@example.jp"])
    assert [s["status"] for s in chie["subscriptions"]] == ["past_due"]
    assert {p["status"] for p in chie["payments"]["data"]} == {"succeeded", "failed"}
    assert [i["status"] for i in chie["invoices"]["data"]] == ["open"]
    assert chie["invoices"]["data"][0]["currency"] == "jpy"

    bruno = gateway.fetch_panel(made["bruno@example.com"])
    assert [s["status"] for s in bruno["subscriptions"]] == ["trialing"]


def test_find_customers_by_email(localstripe, gateway):
    seeder = Seeder(localstripe.url)
    exact = seeder.customer("Mixed.Case@Example.com", "Mixed")
    method, found = gateway.find_customers_by_email("Mixed.Case@Example.com")
    assert method == "email_exact"
    assert [c["id"] for c in found] == [exact["id"]]

    lower = seeder.customer("lower@example.com", "Lower")
    method, found = gateway.find_customers_by_email("LOWER@example.com")
    assert method == "email_ci"
    assert [c["id"] for c in found] == [lower["id"]]

    twins = {seeder.customer("twin@example.com", n)["id"] for n in ("A", "B")}
    method, found = gateway.find_customers_by_email("twin@example.com")
    assert method == "email_exact"
    assert {c["id"] for c in found} == twins

    assert gateway.find_customers_by_email("nobody@example.com") == (None, [])
    assert gateway.find_customers_by_email("  ") == (None, [])


def test_deleted_customer_is_none(localstripe, gateway):
    seeder = Seeder(localstripe.url)
    customer = seeder.customer("gone@example.com", "Gone")
    seeder.request("DELETE", f"/v1/customers/{customer['id']}")
    assert gateway.get_customer(customer["id"]) is None
    assert gateway.fetch_panel(customer["id"]) == {"customer": None}


def test_paging_payments(localstripe, gateway):
    seeder = Seeder(localstripe.url)
    customer = seeder.customer("many@example.com", "Many")
    seeder.card(customer["id"])
    for amount in range(100, 1300, 100):
        seeder.charge(customer["id"], amount, "usd")
    first = gateway.list_charges(customer["id"], limit=5)
    assert len(first["data"]) == 5 and first["has_more"]
    second = gateway.list_charges(
        customer["id"], limit=5, starting_after=first["next_cursor"]
    )
    ids = [c["id"] for c in first["data"] + second["data"]]
    assert len(set(ids)) == 10


def test_customers_and_subscriptions_of_several(localstripe, gateway):
    made = seed_demo(localstripe.url)
    ada, bruno = made["ada@example.com"], made["bruno@example.com"]
    seeder = Seeder(localstripe.url)
    gone = seeder.customer("gone@example.com", "Gone")["id"]
    seeder.request("DELETE", f"/v1/customers/{gone}")
    customers = gateway.get_customers([ada, bruno, gone])
    assert customers[ada]["name"] == "Ada Lovelace"
    assert customers[bruno]["email"] == "bruno@example.com"
    assert customers[gone] is None
    subs = gateway.list_subscriptions_many([ada, bruno])
    assert [s["status"] for s in subs[ada]] == ["active"]
    assert sorted(s["status"] for s in subs[bruno]) == ["canceled", "trialing"]


def test_customer_search_missing_on_localstripe(gateway):
    # What the link dialog's fallback relies on.
    with pytest.raises(StripeGatewayError) as info:
        gateway.search_customers('email~"ada"')
    assert info.value.kind == "not_found"


def test_wrong_address_is_not_a_deleted_customer(localstripe):
    # A path after the address: every request 404s without a Stripe error body.
    gateway = StripeGateway(TEST_KEY, api_base=localstripe.url + "/v1")
    with pytest.raises(StripeGatewayError) as info:
        gateway.get_customer("cus_anything")
    assert info.value.kind == "bad_address"
    with pytest.raises(StripeGatewayError) as info:
        gateway.get_account()
    assert info.value.kind == "bad_address"


def test_missing_object_is_not_found(localstripe, gateway):
    assert gateway.get_customer("cus_doesnotexist") is None
    with pytest.raises(StripeGatewayError) as info:
        gateway.get_charge("ch_doesnotexist")
    assert info.value.kind == "not_found"


def test_panel_says_when_stripe_embeds_only_some_subscriptions(localstripe, gateway):
    seeder = Seeder(localstripe.url, TEST_KEY)
    seeder.plan("many-usd", "Seat", 100, "usd", nickname="Seat")
    customer = seeder.customer("many@example.com", "Many Seats")
    seeder.card(customer["id"])
    few = gateway.fetch_panel(customer["id"])
    assert few["subscriptions_has_more"] is False
    for _ in range(11):
        seeder.subscribe(customer["id"], "many-usd")
    many = gateway.fetch_panel(customer["id"])
    assert len(many["subscriptions"]) == 10
    assert many["subscriptions_has_more"] is True
