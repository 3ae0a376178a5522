"""A canned Stripe with the current (2026) API shapes, at the SDK's HTTP seam.

For what localstripe cannot serve: refund ``reason``, ``cancellation_details``,
invoice payments, idempotency keys, and failures (402, 404, 429, 5xx, timeouts).
Give it to ``StripeGateway(http_client=FakeStripe())``, or in the Odoo tests patch
``stripe.RequestsClient`` to return it. Test-only, pure Python.
"""

import json
import re
import time
from urllib.parse import parse_qsl, urlsplit

import stripe
from requests.structures import CaseInsensitiveDict

try:
    from .fake_stripe_objects import FakeStripeObjects
except ImportError:  # imported from tools/ (standalone tests)
    from fake_stripe_objects import FakeStripeObjects

REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def nested(params, name):
    """``{"metadata[a]": "1"}`` → ``{"a": "1"}`` for the flat form-encoded params."""
    prefix = name + "["
    return {
        key[len(prefix) : -1]: value
        for key, value in params.items()
        if key.startswith(prefix) and key.endswith("]")
    }


class FakeStripe(FakeStripeObjects, stripe.HTTPClient):
    """An in-memory Stripe account that answers like Stripe's API does today."""

    name = "fake"

    def __init__(self):
        super().__init__()
        self.calls = []
        self.replays = {}
        self.failures = []

    # === FAILURES AND INSPECTION === #

    def fail(self, method, path, status=500, message="Boom", code=None, **kw):
        """Answer calls matching ``method`` and ``path`` (a regex) with an error.

        :param int status: HTTP status; ``None`` with ``timeout=True`` for a
            timeout (no answer)
        :param int times: how many calls fail (default: all)
        :param bool lost: with ``timeout=True``, the request is carried out
            and only its answer is lost
        """
        self.failures.append(
            {
                "method": method.upper(),
                "path": re.compile(path),
                "status": status,
                "message": message,
                "code": code,
                "timeout": kw.get("timeout", False),
                "times": kw.get("times"),
                "lost": kw.get("lost", False),
            }
        )

    def made(self, method, path):
        """The calls made to ``path`` (a regex) with ``method``."""
        return [
            c
            for c in self.calls
            if c["method"] == method.upper() and re.search(path, c["path"])
        ]

    # === THE HTTP SEAM === #

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        method = method.upper()
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if post_data:
            if isinstance(post_data, bytes):
                post_data = post_data.decode()
            params.update(parse_qsl(post_data, keep_blank_values=True))
        key = (headers or {}).get("Idempotency-Key")
        self.calls.append(
            {
                "method": method,
                "path": parts.path,
                "params": params,
                "idempotency_key": key,
            }
        )
        failure = self._failure(method, parts.path)
        if failure and failure["lost"]:
            status, body = self._route(method, parts.path, params)
            if key:
                self.replays[key] = (status, body)
        if failure and failure["timeout"]:
            raise stripe.APIConnectionError(
                "Request to Stripe timed out", should_retry=True
            )
        if failure:
            kind = {
                402: "card_error",
                429: "rate_limit_error",
                401: "invalid_request_error",
            }.get(failure["status"], "api_error")
            if failure["status"] in (400, 404):
                kind = "invalid_request_error"
            return self._answer(
                failure["status"],
                {
                    "error": {
                        "type": kind,
                        "message": failure["message"],
                        "code": failure["code"],
                    }
                },
            )
        if key and key in self.replays:
            status, body = self.replays[key]
            return self._answer(status, body, replayed=True)
        status, body = self._route(method, parts.path, params)
        if key:
            self.replays[key] = (status, body)
        return self._answer(status, body)

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("FakeStripe does not stream")

    def close(self):
        pass

    def _failure(self, method, path):
        for failure in self.failures:
            if failure["method"] == method and failure["path"].search(path):
                if failure["times"] is not None:
                    if failure["times"] <= 0:
                        continue
                    failure["times"] -= 1
                return failure
        return None

    @staticmethod
    def _answer(status, body, replayed=False):
        headers = CaseInsensitiveDict({"Request-Id": "req_fake"})
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return json.dumps(body), status, headers

    @staticmethod
    def _error(status, message, code=None):
        return status, {
            "error": {"type": "invalid_request_error", "message": message, "code": code}
        }

    def _get(self, obj_id, prefix):
        obj = self.objects.get(obj_id)
        if obj is None or not obj_id.startswith(prefix):
            return None
        return obj

    def _list(self, items):
        return 200, {"object": "list", "data": items, "has_more": False}

    def _route(self, method, path, params):
        match = re.fullmatch(r"/v1/(\w+)(?:/([\w]+))?", path)
        if not match:
            return self._error(404, f"Unrecognized request URL ({path})")
        resource, obj_id = match.groups()
        handler = getattr(self, f"_{method.lower()}_{resource}", None)
        if handler is None:
            return self._error(404, f"Unrecognized request URL ({method} {path})")
        return handler(obj_id, params)

    def _by_type(self, kind, **filters):
        return [
            o
            for o in self.objects.values()
            if o.get("object") == kind
            and all(o.get(k) == v for k, v in filters.items() if v is not None)
        ]

    def _retrieve(self, obj_id, kind):
        obj = self.objects.get(obj_id or "")
        if obj is None or obj.get("object") != kind:
            return self._error(404, f"No such {kind}: '{obj_id}'", "resource_missing")
        return 200, obj

    def _get_customers(self, obj_id, params):
        return self._retrieve(obj_id, "customer")

    def _get_charges(self, obj_id, params):
        if obj_id:
            return self._retrieve(obj_id, "charge")
        return self._list(self._by_type("charge", customer=params.get("customer")))

    def _get_payment_intents(self, obj_id, params):
        return self._retrieve(obj_id, "payment_intent")

    def _get_subscriptions(self, obj_id, params):
        if obj_id:
            return self._retrieve(obj_id, "subscription")
        return self._list(
            self._by_type("subscription", customer=params.get("customer"))
        )

    def _get_invoices(self, obj_id, params):
        if obj_id:
            return self._retrieve(obj_id, "invoice")
        invoices = self._by_type("invoice", customer=params.get("customer"))
        if params.get("subscription"):
            invoices = [
                i
                for i in invoices
                if i["parent"]["subscription_details"]["subscription"]
                == params["subscription"]
            ]
        return self._list(invoices)

    def _get_invoice_payments(self, obj_id, params):
        return self._list(
            self._by_type("invoice_payment", invoice=params.get("invoice"))
        )

    def _get_refunds(self, obj_id, params):
        if obj_id:
            return self._retrieve(obj_id, "refund")
        return self._list(self._by_type("refund", charge=params.get("charge")))

    def _post_refunds(self, obj_id, params):
        status, charge = self._retrieve(params.get("charge"), "charge")
        if status != 200:
            return status, charge
        if charge["status"] != "succeeded":
            return self._error(400, "This charge cannot be refunded.")
        remaining = charge["amount"] - charge["amount_refunded"]
        amount = int(params.get("amount") or remaining)
        if amount > remaining:
            return self._error(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount "
                f"on charge ({remaining})",
                "amount_too_large",
            )
        reason = params.get("reason")
        if reason is not None and reason not in REFUND_REASONS:
            return self._error(400, f"Invalid reason: {reason}")
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        return 200, self.add(
            {
                "id": self.new_id("re"),
                "object": "refund",
                "amount": amount,
                "charge": charge["id"],
                "payment_intent": charge["payment_intent"],
                "currency": charge["currency"],
                "created": int(time.time()),
                "reason": reason,
                "status": "succeeded",
                "metadata": nested(params, "metadata"),
            }
        )

    def _delete_subscriptions(self, obj_id, params):
        status, sub = self._retrieve(obj_id, "subscription")
        if status != 200:
            return status, sub
        if sub["status"] == "canceled":
            return self._error(
                400, f"A canceled subscription can only update its metadata: {obj_id}"
            )
        now = int(time.time())
        sub.update(
            status="canceled",
            canceled_at=now,
            ended_at=now,
            cancellation_details={
                "comment": params.get("cancellation_details[comment]"),
                "feedback": None,
                "reason": "cancellation_requested",
            },
        )
        return 200, sub

    def _post_subscriptions(self, obj_id, params):
        status, sub = self._retrieve(obj_id, "subscription")
        if status != 200:
            return status, sub
        if "cancel_at_period_end" in params:
            cancel = params["cancel_at_period_end"] == "true"
            end = sub["items"]["data"][0]["current_period_end"]
            sub["cancel_at_period_end"] = cancel
            sub["cancel_at"] = end if cancel else None
        sub["metadata"].update(nested(params, "metadata"))
        if "cancellation_details[comment]" in params:
            sub["cancellation_details"] = {
                "comment": params["cancellation_details[comment]"]
            }
        return 200, sub
