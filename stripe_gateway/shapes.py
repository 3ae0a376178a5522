"""Normalize Stripe objects of every API version into plain, stable dicts.

Stripe changed several shapes in 2025 (billing periods moved to subscription items,
``Invoice.subscription``/``charge``/``payment_intent`` gave way to ``parent`` and
invoice payments). Local servers still answer with the older shapes. Everything the
addon shows goes through these functions, which accept both and never raise on a
missing key.
"""


def _get(obj, *path, default=None):
    """Walk ``path`` through nested dicts; ``default`` where anything is missing."""
    for key in path:
        if not isinstance(obj, dict):
            return default
        obj = obj.get(key)
        if obj is None:
            return default
    return obj


def object_id(value):
    """The id of an expandable field, whether it came as an id or an object."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        return value.get("id")
    return None


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _list_data(value):
    """The items of a Stripe list object, a plain list, or nothing."""
    if isinstance(value, dict):
        value = value.get("data")
    return [item for item in value or [] if isinstance(item, dict)]


def normalize_address(address):
    keys = ("line1", "line2", "city", "state", "postal_code", "country")
    return {key: _get(address, key) or "" for key in keys}


def normalize_customer(data):
    """A customer, or ``None`` when Stripe says it was deleted."""
    if not isinstance(data, dict) or data.get("deleted"):
        return None
    return {
        "id": data.get("id"),
        "name": data.get("name") or "",
        "email": data.get("email") or "",
        "phone": data.get("phone") or "",
        "description": data.get("description") or "",
        "address": normalize_address(data.get("address")),
        "created": _int(data.get("created"), None),
        "balance": _int(data.get("balance", -_int(data.get("account_balance")))),
        "currency": (data.get("currency") or "").lower(),
        "livemode": bool(data.get("livemode")),
        "metadata": dict(data.get("metadata") or {}),
    }


def _normalize_item(item, subscription):
    price = item.get("price") if isinstance(item.get("price"), dict) else None
    plan = item.get("plan") if isinstance(item.get("plan"), dict) else None
    source = price or plan or {}
    recurring = source.get("recurring") if price else plan
    product = source.get("product")
    unit_amount = source.get("unit_amount", source.get("amount"))
    return {
        "id": item.get("id"),
        "price_id": source.get("id"),
        "nickname": source.get("nickname") or "",
        "product_id": object_id(product),
        "product_name": _get(product, "name") or "",
        "unit_amount": _int(unit_amount, None),
        "quantity": _int(item.get("quantity"), 1),
        "currency": (source.get("currency") or "").lower(),
        "interval": _get(recurring, "interval") or "",
        "interval_count": _int(_get(recurring, "interval_count"), 1),
        # 2025+ API: periods live on items; older: on the subscription.
        "current_period_start": _int(
            item.get("current_period_start", subscription.get("current_period_start")),
            None,
        ),
        "current_period_end": _int(
            item.get("current_period_end", subscription.get("current_period_end")),
            None,
        ),
    }


def normalize_subscription(data):
    items = [_normalize_item(i, data) for i in _list_data(data.get("items"))]
    periods_end = [i["current_period_end"] for i in items if i["current_period_end"]]
    periods_start = [
        i["current_period_start"] for i in items if i["current_period_start"]
    ]
    amount = None
    if items and all(i["unit_amount"] is not None for i in items):
        amount = sum(i["unit_amount"] * i["quantity"] for i in items)
    currency = (data.get("currency") or "").lower() or (
        items[0]["currency"] if items else ""
    )
    labels = [i["product_name"] or i["nickname"] or i["price_id"] or "" for i in items]
    return {
        "id": data.get("id"),
        "status": data.get("status") or "",
        "label": ", ".join(label for label in labels if label),
        "items": items,
        "amount": amount,
        "currency": currency,
        "interval": items[0]["interval"] if items else "",
        "interval_count": items[0]["interval_count"] if items else 1,
        "current_period_start": min(periods_start)
        if periods_start
        else _int(data.get("current_period_start"), None),
        "current_period_end": min(periods_end)
        if periods_end
        else _int(data.get("current_period_end"), None),
        "cancel_at_period_end": bool(data.get("cancel_at_period_end")),
        "cancel_at": _int(data.get("cancel_at"), None),
        # Servers that leave canceled_at empty still say when it ended.
        "canceled_at": _int(data.get("canceled_at") or data.get("ended_at"), None),
        "ended_at": _int(data.get("ended_at"), None),
        "trial_end": _int(data.get("trial_end"), None),
        "created": _int(data.get("created"), None),
        "latest_invoice_id": object_id(data.get("latest_invoice")),
        "customer_id": object_id(data.get("customer")),
        "metadata": dict(data.get("metadata") or {}),
    }


def normalize_charge(data):
    amount = _int(data.get("amount"))
    refunded = _int(data.get("amount_refunded"))
    status = data.get("status") or ""
    if status == "paid":  # very old API
        status = "succeeded"
    captured = data.get("captured", True) is not False
    refundable = amount - refunded if status == "succeeded" and captured else 0
    return {
        "id": data.get("id"),
        "amount": amount,
        "amount_refunded": refunded,
        "refundable": max(refundable, 0),
        "currency": (data.get("currency") or "").lower(),
        "status": status,
        "refunded": bool(data.get("refunded")) or (amount > 0 and refunded >= amount),
        "disputed": bool(data.get("disputed")),
        "created": _int(data.get("created"), None),
        "description": data.get("description") or "",
        "payment_intent_id": object_id(data.get("payment_intent")),
        "invoice_id": object_id(data.get("invoice")),
        "customer_id": object_id(data.get("customer")),
        "failure_message": data.get("failure_message") or "",
        "metadata": dict(data.get("metadata") or {}),
    }


def invoice_subscription_id(data):
    """The invoice's subscription: ``parent`` (2025+) or ``subscription`` (older)."""
    new = _get(data, "parent", "subscription_details", "subscription")
    return object_id(new) or object_id(data.get("subscription"))


def normalize_invoice(data):
    payments = _list_data(data.get("payments"))
    payment_intent_ids = [
        object_id(_get(p, "payment", "payment_intent")) for p in payments
    ]
    charge_ids = [object_id(_get(p, "payment", "charge")) for p in payments]
    return {
        "id": data.get("id"),
        "number": data.get("number") or "",
        "status": data.get("status") or "",
        "total": _int(data.get("total")),
        "amount_due": _int(data.get("amount_due")),
        "amount_paid": _int(data.get("amount_paid")),
        "amount_remaining": _int(data.get("amount_remaining")),
        "currency": (data.get("currency") or "").lower(),
        "created": _int(data.get("created"), None),
        "due_date": _int(data.get("due_date"), None),
        "paid_at": _int(_get(data, "status_transitions", "paid_at"), None),
        "period_start": _int(data.get("period_start"), None),
        "period_end": _int(data.get("period_end"), None),
        "invoice_pdf": data.get("invoice_pdf") or "",
        "hosted_invoice_url": data.get("hosted_invoice_url") or "",
        "subscription_id": invoice_subscription_id(data),
        "charge_id": object_id(data.get("charge"))
        or next((c for c in charge_ids if c), None),
        "payment_intent_id": object_id(data.get("payment_intent"))
        or next((p for p in payment_intent_ids if p), None),
        "customer_id": object_id(data.get("customer")),
    }


def payment_intent_charge_id(data):
    """A payment intent's charge: ``latest_charge`` (current) or ``charges`` (older)."""
    latest = object_id(data.get("latest_charge"))
    if latest:
        return latest
    charges = _list_data(data.get("charges"))
    return charges[0].get("id") if charges else None


def normalize_refund(data):
    return {
        "id": data.get("id"),
        "amount": _int(data.get("amount")),
        "currency": (data.get("currency") or "").lower(),
        "status": data.get("status") or "",
        "reason": data.get("reason") or "",
        "charge_id": object_id(data.get("charge")),
        "payment_intent_id": object_id(data.get("payment_intent")),
        "created": _int(data.get("created"), None),
        "metadata": dict(data.get("metadata") or {}),
    }


def normalize_account(data, api_key=""):
    """The connected account; ``mode`` falls back to the key's prefix."""
    data = data if isinstance(data, dict) else {}
    name = (
        _get(data, "settings", "dashboard", "display_name")
        or _get(data, "business_profile", "name")
        or data.get("display_name")
        or data.get("email")
        or ""
    )
    livemode = "_live_" in (api_key or "")
    return {
        "id": data.get("id") or "",
        "name": name,
        "livemode": livemode,
        "mode": "live" if livemode else "test",
    }


def page(items, has_more, normalize):
    """A page of normalized items with the cursor for the next one."""
    rows = [normalize(i) for i in items]
    return {
        "data": rows,
        "has_more": bool(has_more),
        "next_cursor": rows[-1]["id"] if rows and has_more else None,
    }
