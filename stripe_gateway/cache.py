"""Short-lived, per-process caches of Stripe answers, and a request throttle.

Two caches live in each Odoo worker process:

- :data:`PANEL_CACHE`: a customer's panel bundle (profile, subscriptions, first
  pages of payments and invoices);
- :data:`LOOKUP_CACHE`: the customers found for an email by auto-link.

Every key starts with the *account* (:func:`account_fingerprint`: the API address
and a hash of the secret key) and ends with a *scope* chosen by the caller (the
Odoo database and company), so nothing cached for one key or one company is ever
served to another. An entry also remembers the *generation* it was read at: the
caller passes the current generation on :meth:`TTLCache.get` and an entry read
at another one is a miss. Odoo keeps that generation in the database, so an
invalidation made by one worker reaches the others (see ``res.company``).
"""

import copy
import hashlib
import threading
import time
from collections import OrderedDict

ALL_CUSTOMERS = "*"


def account_fingerprint(api_base, api_key):
    """A short, non-reversible name for one Stripe account as seen by one key."""
    digest = hashlib.sha256(f"{api_base}\n{api_key}".encode()).hexdigest()
    return digest[:32]


def customer_of(obj):
    """The customer id a Stripe object belongs to, or ``None`` when unknown."""
    if not isinstance(obj, dict):
        return None
    if obj.get("object") == "customer":
        return obj.get("id")
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return customer if isinstance(customer, str) and customer else None


class TTLCache:
    """A thread-safe, size-bounded (LRU) cache whose entries expire.

    Keys are tuples ``(account, kind, item, scope)``. Values are deep-copied in
    and out, so callers may modify what they get.

    :param int max_entries: the least recently used entries go beyond this
    :param clock: seconds, monotonic (injectable for tests)
    """

    def __init__(self, max_entries=256, clock=time.monotonic):
        self.max_entries = max_entries
        self.clock = clock
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._entries)

    def get(self, key, generation=None):
        """The cached value, or ``None`` when absent, expired or of another
        generation."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, entry_generation, value = entry
            if expires <= self.clock() or entry_generation != generation:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        return copy.deepcopy(value)

    def put(self, key, value, ttl, generation=None):
        if ttl <= 0:
            return
        value = copy.deepcopy(value)
        with self._lock:
            self._entries[key] = (self.clock() + ttl, generation, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, match):
        """Drop every entry for which ``match(key, value)`` is true.

        :return: how many entries were dropped
        """
        with self._lock:
            doomed = [k for k, (_e, _g, v) in self._entries.items() if match(k, v)]
            for key in doomed:
                del self._entries[key]
        return len(doomed)

    def clear(self):
        with self._lock:
            self._entries.clear()


# Panel bundles are the big ones (tens of kB): few per worker.
PANEL_CACHE = TTLCache(max_entries=256)
LOOKUP_CACHE = TTLCache(max_entries=4096)


def _lookup_names(value, customer_id):
    _method, customers = value
    return any(c.get("id") == customer_id for c in customers)


def invalidate(account, customer_id=None, email=None):
    """Forget, in this process, what is cached about a customer of ``account``.

    :param str customer_id: the customer whose panel and lookups go; ``None``
        (or :data:`ALL_CUSTOMERS`) with no ``email`` forgets the whole account
    :param str email: an email whose lookup goes too (a customer was created or
        changed its email)
    """
    if customer_id == ALL_CUSTOMERS:
        customer_id = None
    if customer_id is None and email is None:
        PANEL_CACHE.discard(lambda key, _v: key[0] == account)
        LOOKUP_CACHE.discard(lambda key, _v: key[0] == account)
        return
    if customer_id:
        PANEL_CACHE.discard(lambda key, _v: key[0] == account and key[2] == customer_id)
    wanted = (email or "").strip().lower()

    def lookup_match(key, value):
        if key[0] != account:
            return False
        if wanted and key[2].lower() == wanted:
            return True
        return bool(customer_id) and _lookup_names(value, customer_id)

    LOOKUP_CACHE.discard(lookup_match)


class Throttle:
    """Spaces calls so that at most ``rate`` start per second (thread-safe).

    :param float rate: calls per second; ``None`` or ``<= 0`` for no limit
    """

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self):
        """Block until the next call may start; return the seconds waited."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            self.sleep(delay)
        return delay
