# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Invalidation stamps that make the per-worker Stripe caches agree."""

from datetime import timedelta
from functools import partial

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..const import STRIPE_CACHE_TTL_MAX

ALL_CUSTOMERS = "*"


def _insert(account, customer_id):
    return SQL(
        "INSERT INTO helpdesk_stripe_cache_stamp (account, customer_id, stamped_at)"
        " VALUES (%s, %s, NOW() AT TIME ZONE 'UTC')",
        account,
        customer_id or ALL_CUSTOMERS,
    )


def _insert_apart(registry, account, customer_id):
    with registry.cursor() as cr:
        cr.execute(_insert(account, customer_id))


class HelpdeskStripeCacheStamp(models.Model):
    """One row per invalidation of a Stripe customer's cached data.

    Each Odoo worker caches Stripe answers in its own memory. A worker that
    changes a customer (an action) or learns it changed (a webhook event)
    inserts a stamp here, in its own transaction; every worker compares the
    newest stamp with the one its cached entry was read at, so a change made
    through one worker is seen by all once that transaction commits.
    Stamps are only ever inserted (never updated), so concurrent invalidations
    cannot conflict; the daily vacuum drops those older than any cache lifetime.
    """

    _name = "helpdesk.stripe.cache.stamp"
    _description = "Stripe cache invalidation stamp"
    _log_access = False
    _order = "id desc"

    account = fields.Char(
        required=True, help="Fingerprint of the Stripe key and API address."
    )
    customer_id = fields.Char(
        required=True, help="The Stripe customer, or * for the whole account."
    )
    stamped_at = fields.Datetime(required=True, default=fields.Datetime.now)

    def init(self):
        create_index(
            self.env.cr,
            "helpdesk_stripe_cache_stamp_lookup_idx",
            self._table,
            ["account", "customer_id", "id"],
        )

    @api.model
    def _stamp(self, account, customer_id=None, keep_on_rollback=False):
        """Record that ``customer_id`` (``None``: every customer) changed.

        :param bool keep_on_rollback: should the current transaction roll back
            (an action that failed after writing to Stripe), stamp again in a
            transaction of its own: Stripe did change
        """
        self.env.cr.execute(_insert(account, customer_id))
        if keep_on_rollback:
            self.env.cr.postrollback.add(
                partial(_insert_apart, self.env.registry, account, customer_id)
            )

    @api.model
    def _generation(self, account, customer_id):
        """The newest stamps for the customer and for its whole account.

        :return: a pair of stamp ids (``0`` where there is none); it changes
            whenever the customer or the account is invalidated
        """
        self.env.cr.execute(
            SQL(
                "SELECT customer_id, MAX(id) FROM helpdesk_stripe_cache_stamp"
                " WHERE account = %s AND customer_id IN (%s, %s)"
                " GROUP BY customer_id",
                account,
                customer_id,
                ALL_CUSTOMERS,
            )
        )
        found = dict(self.env.cr.fetchall())
        return found.get(customer_id, 0), found.get(ALL_CUSTOMERS, 0)

    @api.autovacuum
    def _gc_stamps(self):
        # A stamp older than the longest cache lifetime can no longer matter.
        limit = fields.Datetime.now() - timedelta(seconds=2 * STRIPE_CACHE_TTL_MAX)
        self.env.cr.execute(
            SQL("DELETE FROM helpdesk_stripe_cache_stamp WHERE stamped_at < %s", limit)
        )
