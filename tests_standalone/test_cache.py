"""The panel and lookup caches, and the request throttle."""

import pytest
from localstripe_process import TEST_KEY
from seed_localstripe import Seeder

from stripe_gateway import StripeGateway, cache
from stripe_gateway.client import idempotency_key


class Clock:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture(autouse=True)
def empty_caches():
    cache.PANEL_CACHE.clear()
    cache.LOOKUP_CACHE.clear()
    yield
    cache.PANEL_CACHE.clear()
    cache.LOOKUP_CACHE.clear()


def test_entries_expire_and_follow_their_generation():
    clock = Clock()
    store = cache.TTLCache(clock=clock)
    store.put(("acct", "panel", "cus_1", 1), {"a": [1]}, ttl=60, generation=(0, 0))
    got = store.get(("acct", "panel", "cus_1", 1), (0, 0))
    assert got == {"a": [1]}
    got["a"].append(2)  # callers get copies
    assert store.get(("acct", "panel", "cus_1", 1), (0, 0)) == {"a": [1]}
    assert store.get(("acct", "panel", "cus_1", 1), (1, 0)) is None, "bumped"
    store.put(("acct", "panel", "cus_1", 1), {"a": [1]}, ttl=60, generation=(1, 0))
    clock.now += 59.9
    assert store.get(("acct", "panel", "cus_1", 1), (1, 0)) is not None
    clock.now += 0.2
    assert store.get(("acct", "panel", "cus_1", 1), (1, 0)) is None, "expired"
    store.put(("k",), 1, ttl=0)
    assert len(store) == 0, "a zero lifetime caches nothing"


def test_size_is_bounded_least_recently_used_first():
    store = cache.TTLCache(max_entries=2)
    store.put(("a",), 1, 60)
    store.put(("b",), 2, 60)
    store.get(("a",))
    store.put(("c",), 3, 60)
    assert (store.get(("a",)), store.get(("b",)), store.get(("c",))) == (1, None, 3)


def test_invalidate_by_customer_email_or_account():
    cache.PANEL_CACHE.put(("A", "panel", "cus_1", "s"), {}, 60)
    cache.PANEL_CACHE.put(("A", "panel", "cus_2", "s"), {}, 60)
    cache.PANEL_CACHE.put(("B", "panel", "cus_1", "s"), {}, 60)
    cache.LOOKUP_CACHE.put(("A", "email", "x@e.com", "s"), ("e", [{"id": "cus_1"}]), 60)
    cache.LOOKUP_CACHE.put(("A", "email", "New@e.com", "s"), (None, []), 60)
    cache.LOOKUP_CACHE.put(("A", "email", "z@e.com", "s"), ("e", [{"id": "cus_3"}]), 60)

    cache.invalidate("A", "cus_1")
    assert cache.PANEL_CACHE.get(("A", "panel", "cus_1", "s")) is None
    assert cache.PANEL_CACHE.get(("A", "panel", "cus_2", "s")) == {}
    assert cache.PANEL_CACHE.get(("B", "panel", "cus_1", "s")) == {}, "other key"
    assert cache.LOOKUP_CACHE.get(("A", "email", "x@e.com", "s")) is None

    cache.invalidate("A", email="new@E.com")
    assert cache.LOOKUP_CACHE.get(("A", "email", "New@e.com", "s")) is None
    assert cache.LOOKUP_CACHE.get(("A", "email", "z@e.com", "s")) is not None

    cache.invalidate("A")
    assert cache.PANEL_CACHE.get(("A", "panel", "cus_2", "s")) is None
    assert cache.LOOKUP_CACHE.get(("A", "email", "z@e.com", "s")) is None
    assert cache.PANEL_CACHE.get(("B", "panel", "cus_1", "s")) == {}


def test_customer_of_write_answers():
    assert cache.customer_of({"object": "customer", "id": "cus_1"}) == "cus_1"
    assert cache.customer_of({"object": "subscription", "customer": "cus_2"}) == "cus_2"
    assert cache.customer_of({"object": "charge", "customer": {"id": "cus_3"}}) == (
        "cus_3"
    )
    assert cache.customer_of({"object": "refund", "charge": "ch_1"}) is None
    assert cache.customer_of(None) is None


def test_throttle_spaces_requests():
    clock = Clock()
    throttle = cache.Throttle(4, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        throttle.wait()
    assert clock.slept == [0.25] * 4
    assert cache.Throttle(None).wait() == 0.0


def test_panel_cache_against_localstripe(localstripe):
    seeder = Seeder(localstripe.url)
    customer = seeder.customer("cached@example.com", "Cached")
    gateway = StripeGateway(TEST_KEY, api_base=localstripe.url)

    def opened(gw=gateway, **kwargs):
        kwargs.setdefault("cache_ttl", 60)
        kwargs.setdefault("scope", ("db", 1))
        before = gw.calls
        bundle = gw.fetch_panel(customer["id"], **kwargs)
        assert bundle["customer"]["email"] == "cached@example.com"
        return gw.calls - before

    assert opened() == 3, "cold: customer (+subscriptions), charges, invoices"
    assert opened() == 0, "warm"
    assert opened(refresh=True) == 3, "Refresh reads Stripe"
    assert opened(scope=("db", 2)) == 3, "another company has its own entries"
    assert opened(generation=(1, 0)) == 3, "invalidated in another worker"
    assert opened(generation=(1, 0)) == 0
    other = StripeGateway("sk_test_anotherkey42", api_base=localstripe.url)
    assert opened(other) == 3, "another key has its own entries"
    assert opened(cache_ttl=0) == 3, "no cache"

    gateway.update_customer(customer["id"], {"name": "Renamed"}, idempotency_key(1))
    assert opened(generation=(1, 0)) == 3, "a write invalidates at once"
    assert opened(generation=(1, 0)) == 0


def test_lookup_cache_against_localstripe(localstripe):
    Seeder(localstripe.url).customer("look@example.com", "Look")
    gateway = StripeGateway(TEST_KEY, api_base=localstripe.url)
    first = gateway.find_customers_by_email("look@example.com", 60, "s")
    calls = gateway.calls
    assert gateway.find_customers_by_email("look@example.com", 60, "s") == first
    assert gateway.calls == calls
    gateway.find_customers_by_email("look@example.com", 60, "other scope")
    assert gateway.calls == calls + 1
