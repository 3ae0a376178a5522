# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stripe caches and request rate of a company."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import (
    STRIPE_BACKFILL_RATE_DEFAULT,
    STRIPE_CACHE_TTL_DEFAULT,
    STRIPE_CACHE_TTL_MAX,
)
from ..stripe_gateway import cache
from ..stripe_gateway.client import DEFAULT_API_BASE


class ResCompany(models.Model):
    _inherit = "res.company"

    stripe_cache_ttl = fields.Integer(
        string="Stripe cache lifetime",
        default=STRIPE_CACHE_TTL_DEFAULT,
        help="Seconds a ticket's Stripe panel, and the customers found for an "
        "email, are reused without asking Stripe again. Actions and Stripe "
        "events refresh it at once; 0 turns the cache off.",
    )
    stripe_backfill_rate = fields.Float(
        string="Stripe backfill rate",
        default=STRIPE_BACKFILL_RATE_DEFAULT,
        help="At most this many Stripe requests per second while linking "
        "tickets in the background (backfill and new tickets). Stripe allows "
        "100 per second in live mode and 25 in test mode, shared with "
        "everything else that uses the account.",
    )

    @api.constrains("stripe_cache_ttl", "stripe_backfill_rate")
    def _check_stripe_cache_settings(self):
        for company in self:
            if not 0 <= company.stripe_cache_ttl <= STRIPE_CACHE_TTL_MAX:
                raise ValidationError(
                    self.env._(
                        "The Stripe cache lifetime is between 0 and %(max)s seconds.",
                        max=STRIPE_CACHE_TTL_MAX,
                    )
                )
            if company.stripe_backfill_rate <= 0:
                raise ValidationError(
                    self.env._("The Stripe backfill rate must be above zero.")
                )

    # === CACHE === #

    def _stripe_cache_scope(self):
        """Who may reuse a cached answer: this database and this company."""
        self.ensure_one()
        return (self.env.cr.dbname, self.id)

    def _stripe_cache_account(self):
        company = self.sudo()
        if not company.stripe_secret_key:
            return None
        return cache.account_fingerprint(
            (company.stripe_api_base or DEFAULT_API_BASE).rstrip("/"),
            company.stripe_secret_key,
        )

    def _stripe_cache_on_write(self, account, customer_id):
        """Called by the gateway after each write: tell the other workers."""
        self.env["helpdesk.stripe.cache.stamp"].sudo()._stamp(
            account, customer_id, keep_on_rollback=True
        )

    def _stripe_cache_invalidate(self, customer_id=None, email=None):
        """Forget what every worker cached about a Stripe customer.

        For code that learns of a change made outside Odoo (webhook events).
        This worker forgets at once; the others when the current transaction
        commits (a stamp in the database).

        :param str customer_id: the customer that changed; ``None`` (and no
            ``email``) for the whole account
        :param str email: an email whose lookup must be redone (a customer was
            created or its email changed); only this worker's lookups go, the
            others expire within the cache lifetime
        """
        for company in self:
            account = company._stripe_cache_account()
            if not account:
                continue
            cache.invalidate(account, customer_id, email)
            if customer_id or not email:
                company._stripe_cache_on_write(account, customer_id)

    def _stripe_panel_bundle(self, gateway, customer_id, page_size, refresh=False):
        """The panel's Stripe data, from this worker's cache while fresh.

        :param bool refresh: read Stripe even when the cache is fresh
        """
        self.ensure_one()
        ttl = self.stripe_cache_ttl
        generation = None
        if ttl > 0:
            generation = (
                self.env["helpdesk.stripe.cache.stamp"]
                .sudo()
                ._generation(gateway.account, customer_id)
            )
        return gateway.fetch_panel(
            customer_id,
            page_size,
            cache_ttl=ttl,
            scope=self._stripe_cache_scope(),
            generation=generation,
            refresh=refresh,
        )

    def _stripe_lookup(self, gateway, email):
        """The Stripe customers for an email, from this worker's cache while fresh.

        :return: ``(method, customers)`` as
            :meth:`~..stripe_gateway.StripeGateway.find_customers_by_email`
        """
        self.ensure_one()
        return gateway.find_customers_by_email(
            email, cache_ttl=self.stripe_cache_ttl, scope=self._stripe_cache_scope()
        )
