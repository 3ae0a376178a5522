"""One exception for everything that can go wrong talking to Stripe."""

# The kinds a caller can tell apart; the Odoo side has one translated message each.
KINDS = (
    "invalid_key",  # the key's format is not one Stripe issues
    "authentication",  # Stripe refused the key (wrong, revoked, expired)
    "permission",  # a restricted key lacks the permission for this call
    "not_found",  # the object does not exist (or was deleted)
    "bad_address",  # a 404 that is not Stripe's: the API address is wrong
    "card",  # a payment-level refusal (402)
    "invalid_request",  # Stripe refused the parameters (400)
    "idempotency",  # same idempotency key reused with other parameters
    "rate_limit",  # 429: too many requests
    "network",  # Stripe could not be reached or did not answer in time
    "api",  # a 5xx or an answer that makes no sense
)


class StripeGatewayError(Exception):
    """A failed Stripe call, classified.

    :param str kind: one of :data:`KINDS`
    :param str message: Stripe's own message (English, for logs and details)
    :param int http_status: the HTTP status, when there was an answer
    :param str code: Stripe's error code (``resource_missing``, ...)
    :param float retry_after: seconds Stripe asked to wait (429), if given
    :param str request_id: Stripe's request id, for support
    """

    def __init__(
        self,
        kind,
        message="",
        http_status=None,
        code=None,
        retry_after=None,
        request_id=None,
    ):
        assert kind in KINDS, kind
        super().__init__(message or kind)
        self.kind = kind
        self.message = message or ""
        self.http_status = http_status
        self.code = code
        self.retry_after = retry_after
        self.request_id = request_id

    @property
    def retryable(self):
        """True when the same call may succeed later without any change."""
        return self.kind in ("network", "rate_limit", "api")

    def __repr__(self):
        return (
            f"StripeGatewayError({self.kind!r}, {self.message!r}, "
            f"http_status={self.http_status!r}, code={self.code!r})"
        )
