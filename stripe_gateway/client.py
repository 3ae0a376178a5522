"""The one place that talks to Stripe, through the official SDK's ``StripeClient``."""

import hashlib
import json
import logging
import re
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import requests
import stripe

from . import cache, shapes
from .billing import BillingMixin
from .errors import StripeGatewayError
from .session import shared_session

_logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.stripe.com"
API_VERSION = stripe.api_version
# Seconds for connect and for each read; the SDK waits 80 s by default. A single
# number (not a tuple): Odoo's test framework compares it with an int.
DEFAULT_TIMEOUT = 15.0
READ_RETRIES = 2
KEY_PATTERN = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$")
# How Stripe answers where Customer Search is not offered (regions, local servers).
SEARCH_UNAVAILABLE = ("not_found", "bad_address", "invalid_request", "permission")
PDF_MAX_BYTES = 20 * 1024 * 1024
# Outcome unknown: Stripe may have applied a write that failed with these.
UNCERTAIN_WRITE_KINDS = ("network", "api")


def key_is_valid(api_key):
    """True when ``api_key`` has the shape of a secret or restricted Stripe key."""
    return bool(api_key) and bool(KEY_PATTERN.match(api_key))


def api_base_is_valid(api_base):
    """An https:// address, or plain http on this machine only; no path."""
    try:
        parts = urllib.parse.urlsplit(api_base or "")
        hostname = parts.hostname
        _port = parts.port  # raises ValueError on a bad port
    except ValueError:
        return False
    if not hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        return False
    if parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and hostname in ("127.0.0.1", "localhost", "::1")


def key_mode(api_key):
    """``"live"`` or ``"test"`` as the key's prefix says."""
    return "live" if "_live_" in (api_key or "") else "test"


def idempotency_key(*parts):
    """A stable idempotency key derived from what identifies an action.

    :param parts: anything JSON-serializable (ticket id, object id, parameters...)
    :return: ``hd-`` followed by a SHA-256 of the parts; same parts, same key
    """
    payload = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return "hd-" + hashlib.sha256(payload.encode()).hexdigest()[:48]


def customer_search_query(text):
    """A Customer Search query for ``text`` in the name or the email.

    Quotes and backslashes are escaped. Stripe matches substrings (``~``) from
    three characters on; shorter text must match exactly (``:``).
    """
    text = (text or "").strip()
    value = text.replace("\\", "\\\\").replace('"', '\\"')
    operator = "~" if len(text) >= 3 else ":"
    return f'name{operator}"{value}" OR email{operator}"{value}"'


def _retry_after(err):
    headers = getattr(err, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None


def map_error(err):
    """Classify a ``stripe.StripeError`` as a :class:`StripeGatewayError`."""
    status = getattr(err, "http_status", None)
    message = getattr(err, "user_message", None) or getattr(err, "_message", "") or ""
    code = getattr(err, "code", None)
    if isinstance(err, stripe.AuthenticationError) or status == 401:
        kind = "authentication"
    elif isinstance(err, stripe.PermissionError) or status == 403:
        kind = "permission"
    elif isinstance(err, stripe.CardError) or status == 402:
        kind = "card"
    elif isinstance(err, stripe.IdempotencyError):
        kind = "idempotency"
    elif isinstance(err, stripe.RateLimitError) or status == 429:
        kind = "rate_limit"
    elif status == 404 and not isinstance(getattr(err, "json_body", None), dict):
        kind = "bad_address"  # no Stripe error object: not Stripe answering
    elif status == 404 or code == "resource_missing":
        kind = "not_found"
    elif isinstance(err, stripe.APIConnectionError):
        kind = "network"
    elif isinstance(err, stripe.InvalidRequestError) or status in (400, 409):
        kind = "invalid_request"
    else:
        kind = "api"
    return StripeGatewayError(
        kind,
        message=str(message),
        http_status=status,
        code=code,
        retry_after=_retry_after(err),
        request_id=getattr(err, "request_id", None),
    )


class StripeGateway(BillingMixin):
    """Every Stripe call of the addon.

    Reads are retried up to :data:`READ_RETRIES` times by the SDK on network errors,
    409s and 5xx; writes are sent once, each with an idempotency key. Every method
    returns plain, normalized dicts (see :mod:`.shapes`) and raises only
    :class:`StripeGatewayError`.

    :param str api_key: ``sk_…`` or ``rk_…`` key
    :param str api_base: Stripe's API address, or a local Stripe server's
    :param float timeout: seconds to connect and to wait for each answer
    :param float max_rate: at most this many requests per second (``None``: no
        limit), for bulk work such as the backfill
    :param on_write: ``on_write(account, customer_id)`` is called after every
        write that may have changed Stripe (``customer_id`` ``None`` when the
        customer is unknown); the caller invalidates what it cached
    """

    def __init__(
        self,
        api_key,
        api_base=None,
        timeout=DEFAULT_TIMEOUT,
        read_retries=READ_RETRIES,
        http_client=None,
        max_rate=None,
        on_write=None,
    ):
        if not key_is_valid(api_key):
            raise StripeGatewayError("invalid_key", "Malformed Stripe key")
        self.api_key = api_key
        self.api_base = (api_base or DEFAULT_API_BASE).rstrip("/")
        self.timeout = timeout
        self.read_retries = read_retries
        self.mode = key_mode(api_key)
        self.account = cache.account_fingerprint(self.api_base, api_key)
        self.on_write = on_write
        self.calls = 0  # SDK calls made (tests and benchmarks count them)
        self._calls_lock = threading.Lock()
        self._throttle = cache.Throttle(max_rate)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": self.api_base},
            stripe_version=API_VERSION,
            max_network_retries=0,
            http_client=http_client
            or stripe.RequestsClient(timeout=timeout, session=shared_session()),
        )

    # === LOW LEVEL === #

    def _call(self, method, *args, options=None, **kwargs):
        self._throttle.wait()
        with self._calls_lock:
            self.calls += 1
        try:
            result = method(*args, options=options or {}, **kwargs)
        except stripe.StripeError as err:
            mapped = map_error(err)
            _logger.info("Stripe call failed: %r", mapped)
            raise mapped from err
        except (ValueError, TypeError, KeyError) as err:  # unreadable answer
            raise StripeGatewayError("api", str(err)) from err
        if result is None:
            raise StripeGatewayError("api", "Empty answer from Stripe")
        return result.to_dict() if hasattr(result, "to_dict") else result

    def _read(self, method, *args, **kwargs):
        options = {"max_network_retries": self.read_retries}
        return self._call(method, *args, options=options, **kwargs)

    def _write(self, method, *args, idempotency_key=None, for_customer=None, **kwargs):
        """Send a write once, with its idempotency key; invalidate caches after.

        :param str for_customer: the customer the write concerns, when the
            answer does not name it (a refund names only its charge); when
            neither does, everything cached for the account is invalidated
        """
        assert idempotency_key, "every Stripe write carries an idempotency key"
        options = {"max_network_retries": 0, "idempotency_key": idempotency_key}
        try:
            result = self._call(method, *args, options=options, **kwargs)
        except StripeGatewayError as err:
            if err.kind in UNCERTAIN_WRITE_KINDS:
                self._written(for_customer)
            raise
        self._written(for_customer or cache.customer_of(result))
        return result

    def _written(self, customer_id):
        cache.invalidate(self.account, customer_id)
        if self.on_write is None:
            return
        try:
            self.on_write(self.account, customer_id)
        except Exception:  # the write is done: a failed invalidation must not hide it
            _logger.exception("Stripe cache invalidation failed after a write")

    # === ACCOUNT === #

    def get_account(self):
        """The account behind the key, proving the key works.

        Restricted keys may not read the account, and some local Stripe servers
        lack the endpoint: then the key is proven by listing one customer, and
        the account is known by the key's mode only.

        :return: ``{"id", "name", "livemode", "mode", "verified_by"}``
        """
        v1 = self._client.v1
        try:
            data = self._read(v1.accounts.retrieve_current)
            account = shapes.normalize_account(data, self.api_key)
            account["verified_by"] = "account"
        except StripeGatewayError as err:
            if err.kind not in ("permission", "not_found", "bad_address"):
                raise
            self._read(v1.customers.list, params={"limit": 1})
            account = shapes.normalize_account({}, self.api_key)
            account["verified_by"] = "customers"
        return account

    # === CUSTOMERS === #

    def get_customer(self, customer_id, expand_subscriptions=False):
        """A customer, or ``None`` when it was deleted or does not exist."""
        params = {"expand": ["subscriptions"]} if expand_subscriptions else {}
        try:
            data = self._read(
                self._client.v1.customers.retrieve, customer_id, params=params
            )
        except StripeGatewayError as err:
            if err.kind == "not_found":
                return None
            raise
        customer = shapes.normalize_customer(data)
        if customer is not None and expand_subscriptions:
            subs = data.get("subscriptions")
            customer["subscriptions"] = (
                [shapes.normalize_subscription(s) for s in shapes._list_data(subs)]
                if isinstance(subs, dict)
                else None
            )
            # Stripe embeds the first 10 live subscriptions only.
            customer["subscriptions_has_more"] = isinstance(subs, dict) and bool(
                subs.get("has_more")
            )
        return customer

    def list_customers_by_email(self, email, limit=100):
        """Customers whose email is exactly ``email`` (Stripe compares case)."""
        data = self._read(
            self._client.v1.customers.list, params={"email": email, "limit": limit}
        )
        found = [shapes.normalize_customer(c) for c in shapes._list_data(data)]
        return [c for c in found if c and c["email"] == email]

    def search_customers(self, query, limit=20):
        """Stripe's Customer Search; raises kind ``not_found`` where unavailable."""
        data = self._read(
            self._client.v1.customers.search,
            params={"query": query, "limit": limit},
        )
        return [
            c
            for c in (shapes.normalize_customer(c) for c in shapes._list_data(data))
            if c
        ]

    def get_customers(self, customer_ids, max_workers=4):
        """Several customers, read concurrently.

        :return: ``{customer_id: customer or None}`` (``None``: deleted)
        :raise StripeGatewayError: the first failure
        """
        with ThreadPoolExecutor(max_workers=max_workers) as pool:
            futures = {cid: pool.submit(self.get_customer, cid) for cid in customer_ids}
            return {cid: future.result() for cid, future in futures.items()}

    def list_subscriptions_many(self, customer_ids, max_workers=4):
        """The subscriptions of several customers, read concurrently.

        :return: ``{customer_id: [subscription, ...]}``
        :raise StripeGatewayError: the first failure
        """
        with ThreadPoolExecutor(max_workers=max_workers) as pool:
            futures = {
                cid: pool.submit(self.list_subscriptions, cid) for cid in customer_ids
            }
            return {cid: future.result() for cid, future in futures.items()}

    def find_customers_by_email(self, email, cache_ttl=0, scope=None):
        """Customers for an email: exact first, then case-insensitive.

        :param cache_ttl: seconds an answer is reused for the same email, account
            and ``scope`` (failures are never cached)
        :return: ``(method, customers)`` with method ``"email_exact"``,
            ``"email_ci"`` or ``None`` when none was found
        """
        email = (email or "").strip()
        if not email:
            return None, []
        key = (self.account, "email", email, scope)
        if cache_ttl > 0:
            found = cache.LOOKUP_CACHE.get(key)
            if found is not None:
                return found
        found = self._find_customers_by_email(email)
        cache.LOOKUP_CACHE.put(key, found, cache_ttl)
        return found

    def _find_customers_by_email(self, email):
        exact = self.list_customers_by_email(email)
        if exact:
            return "email_exact", exact
        wanted = email.lower()
        found = {}
        if wanted != email:
            for customer in self.list_customers_by_email(wanted):
                found[customer["id"]] = customer
        try:
            escaped = email.replace("\\", "\\\\").replace('"', '\\"')
            for customer in self.search_customers(f'email:"{escaped}"'):
                if customer["email"].lower() == wanted:
                    found[customer["id"]] = customer
        except StripeGatewayError as err:
            if err.kind not in SEARCH_UNAVAILABLE:
                raise
        if found:
            return "email_ci", list(found.values())
        return None, []

    def update_customer(self, customer_id, params, idempotency_key):
        data = self._write(
            self._client.v1.customers.update,
            customer_id,
            params=params,
            idempotency_key=idempotency_key,
            for_customer=customer_id,
        )
        return shapes.normalize_customer(data)

    # === SUBSCRIPTIONS, PAYMENTS, INVOICES === #

    def list_subscriptions(self, customer_id, limit=100, status="all"):
        """The customer's subscriptions, newest first.

        :param str status: ``all``, or one status such as ``canceled``
        """
        data = self._read(
            self._client.v1.subscriptions.list,
            params={"customer": customer_id, "status": status, "limit": limit},
        )
        return [shapes.normalize_subscription(s) for s in shapes._list_data(data)]

    def get_subscription(self, subscription_id):
        data = self._read(self._client.v1.subscriptions.retrieve, subscription_id)
        return shapes.normalize_subscription(data)

    def list_charges(self, customer_id, limit=10, starting_after=None):
        params = {"customer": customer_id, "limit": limit}
        if starting_after:
            params["starting_after"] = starting_after
        data = self._read(self._client.v1.charges.list, params=params)
        return shapes.page(
            shapes._list_data(data), data.get("has_more"), shapes.normalize_charge
        )

    def get_charge(self, charge_id):
        data = self._read(self._client.v1.charges.retrieve, charge_id)
        return shapes.normalize_charge(data)

    def list_invoices(self, customer_id, limit=10, starting_after=None):
        params = {"customer": customer_id, "limit": limit}
        if starting_after:
            params["starting_after"] = starting_after
        data = self._read(self._client.v1.invoices.list, params=params)
        return shapes.page(
            shapes._list_data(data), data.get("has_more"), shapes.normalize_invoice
        )

    def get_invoice(self, invoice_id):
        data = self._read(self._client.v1.invoices.retrieve, invoice_id)
        return shapes.normalize_invoice(data)

    def download_invoice_pdf(self, invoice):
        """The PDF bytes of a finalized invoice (``invoice_pdf`` link)."""
        url = invoice.get("invoice_pdf")
        if not url:
            raise StripeGatewayError("not_found", "This invoice has no PDF")
        try:
            response = requests.get(url, timeout=self.timeout, stream=True)
            response.raise_for_status()
            content = response.raw.read(PDF_MAX_BYTES + 1, decode_content=True)
        except requests.Timeout as err:
            raise StripeGatewayError("network", str(err)) from err
        except requests.HTTPError as err:
            status = err.response.status_code if err.response is not None else None
            kind = "not_found" if status == 404 else "api"
            raise StripeGatewayError(kind, str(err), http_status=status) from err
        except requests.RequestException as err:
            raise StripeGatewayError("network", str(err)) from err
        if len(content) > PDF_MAX_BYTES or not content.startswith(b"%PDF"):
            raise StripeGatewayError("api", "The invoice file is not a PDF")
        return content

    def fetch_panel(
        self,
        customer_id,
        page_size=10,
        cache_ttl=0,
        scope=None,
        generation=None,
        refresh=False,
    ):
        """Customer (with subscriptions), payments and invoices, concurrently.

        With a ``cache_ttl``, a bundle read less than that many seconds ago for
        the same account, ``scope`` and ``generation`` is returned without any
        request; ``refresh`` reads Stripe anyway (and caches the fresh bundle).

        :param scope: who may reuse the cached bundle (Odoo: database, company)
        :param generation: the caller's invalidation stamp for this customer
        :return: ``{"customer", "subscriptions", "payments", "invoices"}``;
            ``customer`` is ``None`` when it was deleted in Stripe
        :raise StripeGatewayError: the first failure among the three reads
        """
        key = (self.account, "panel", customer_id, (scope, page_size))
        if cache_ttl > 0 and not refresh:
            bundle = cache.PANEL_CACHE.get(key, generation)
            if bundle is not None:
                return bundle
        bundle = self._fetch_panel(customer_id, page_size)
        cache.PANEL_CACHE.put(key, bundle, cache_ttl, generation)
        return bundle

    def _fetch_panel(self, customer_id, page_size):
        with ThreadPoolExecutor(max_workers=3) as pool:
            customer_f = pool.submit(self.get_customer, customer_id, True)
            charges_f = pool.submit(self.list_charges, customer_id, page_size)
            invoices_f = pool.submit(self.list_invoices, customer_id, page_size)
            customer = customer_f.result()
            if customer is None:  # deleted: the lists may fail, and do not matter
                return {"customer": None}
            charges = charges_f.result()
            invoices = invoices_f.result()
        subscriptions = customer.pop("subscriptions", None)
        more = customer.pop("subscriptions_has_more", False)
        if subscriptions is None:  # the server ignored the expansion
            subscriptions = self.list_subscriptions(customer_id)
        return {
            "customer": customer,
            "subscriptions": subscriptions,
            "subscriptions_has_more": more,
            "payments": charges,
            "invoices": invoices,
        }
