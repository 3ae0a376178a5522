# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The auto-link queue: the cron that looks tickets up in Stripe, in batches."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, email_split

from ..const import (
    AUTOLINK_ACCOUNT_FAILURES,
    AUTOLINK_BACKOFF_BASE_SECONDS,
    AUTOLINK_BACKOFF_MAX_SECONDS,
    AUTOLINK_BATCH_SIZE,
    AUTOLINK_SIBLINGS_LIMIT,
    INTERACTIVE_OPTIONS,
    RATE_LIMIT_BACKOFF_BASE_SECONDS,
)
from ..stripe_gateway import StripeGatewayError
from ..utils import stripe_error_message

_logger = logging.getLogger(__name__)


def autolink_backoff(attempts, retry_after=None, rate_limited=False):
    """Seconds before the ``attempts``-th retry of a failed auto-link."""
    if rate_limited and retry_after:
        return retry_after
    base = (
        RATE_LIMIT_BACKOFF_BASE_SECONDS
        if rate_limited
        else AUTOLINK_BACKOFF_BASE_SECONDS
    )
    delay = min(base * 2 ** (attempts - 1), AUTOLINK_BACKOFF_MAX_SECONDS)
    return max(delay, retry_after or 0)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    @api.model
    def _cron_stripe_autolink(self, batch_size=AUTOLINK_BATCH_SIZE):
        """Link queued tickets, a batch at a time, one Stripe lookup per email.

        New tickets go before those a backfill queued. Every other queued
        ticket with one of the batch's emails is linked with it, so an email is
        looked up once however many tickets share it.
        """
        domain = [
            ("stripe_link_state", "=", "pending"),
            ("stripe_link_next_try", "<=", fields.Datetime.now()),
        ]
        tickets = self.search(
            domain, limit=batch_size, order="stripe_link_backfill, id"
        )
        if tickets:
            tickets = tickets._stripe_with_same_email()
            tickets._stripe_autolink_now(throttled=True)
        # Tickets committed while this batch ran are not in this transaction's
        # snapshot; their creation may have seen this run's wake-up still due
        # and not woken the cron again: count them too, so the cron goes on.
        remaining = tickets._stripe_due_elsewhere()
        if tickets:
            self.env["ir.cron"]._notify_progress(done=len(tickets), remaining=remaining)
        elif remaining:
            # Nothing was due in this snapshot, something is now. (Odoo ends a
            # run that reports remaining work but none done.)
            self.env.ref("helpdesk_stripe.ir_cron_stripe_autolink").sudo()._trigger()

    def _stripe_due_elsewhere(self):
        """Queued tickets due now, other than these, as committed right now.

        Read through a cursor of its own, whose snapshot is taken now.
        """
        self.flush_model(["stripe_link_state", "stripe_link_next_try"])
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*) FROM helpdesk_ticket"
                    " WHERE stripe_link_state = 'pending'"
                    " AND stripe_link_next_try <= %s AND NOT id = ANY(%s)",
                    fields.Datetime.now(),
                    self.ids,
                )
            )
            return cr.fetchone()[0]

    def _stripe_with_same_email(self, limit=AUTOLINK_SIBLINGS_LIMIT):
        """These tickets and the other queued ones with the same addresses.

        Compared by address, as looked up: tickets from the mail gateway keep
        the whole From header, whose display name may differ.
        """
        emails = {t._stripe_email() for t in self} - {""}
        if not emails:
            return self
        self.env["res.partner"].flush_model(["email"])
        self.flush_model(["partner_email", "partner_id", "company_id"])
        self.flush_model(["stripe_link_state"])
        self.env.cr.execute(
            SQL(
                "SELECT t.id, t.partner_email, p.email FROM helpdesk_ticket t"
                " LEFT JOIN res_partner p ON p.id = t.partner_id"
                " WHERE t.stripe_link_state = 'pending' AND t.company_id IN %s"
                " AND t.id NOT IN %s ORDER BY t.id",
                tuple(self.company_id.ids),
                tuple(self.ids),
            )
        )
        siblings = []
        for ticket_id, own, partner in self.env.cr.fetchall():
            found = email_split(own or partner or "")
            if found and found[0] in emails:
                siblings.append(ticket_id)
                if len(siblings) >= limit:
                    break
        return self | self.browse(siblings)

    def _stripe_autolink_now(self, throttled=False, interactive=False):
        """Look the tickets' emails up in Stripe and link what matches.

        Lookups are deduplicated per company and email, and cached for the
        company's cache lifetime. When Stripe is unreachable, refuses the key
        or asks to slow down (429), no more requests are sent for the company:
        its queued tickets wait with an exponential backoff (or Stripe's
        ``Retry-After``). Never raises for a Stripe failure.

        :param bool throttled: keep to the company's request rate (the cron)
        :param bool interactive: an agent is waiting (the panel): short
            timeouts, and a failure changes nothing in the queue (no backoff
            step, no other ticket postponed)
        :return: the message of the first Stripe failure, or ``""``
        """
        failure = ""
        for company, tickets in self.grouped("company_id").items():
            company = company or self.env.company
            options = {}
            if throttled:
                options = {"max_rate": company.stripe_backfill_rate, "read_retries": 1}
            if interactive:
                options = INTERACTIVE_OPTIONS
            try:
                gateway = company._stripe_gateway(**options)
            except UserError as err:
                failure = failure or str(err)
                if not interactive:
                    tickets._stripe_autolink_failed(str(err))
                continue
            by_email = {}
            for ticket in tickets:
                email = ticket._stripe_email()
                if email:
                    by_email[email] = by_email.get(email, self.browse()) | ticket
                else:
                    ticket.stripe_link_state = "no_email"
            groups = list(by_email.values())
            for index, (email, group) in enumerate(by_email.items()):
                try:
                    result = company._stripe_lookup(gateway, email)
                except StripeGatewayError as err:
                    message = stripe_error_message(self.env, err)
                    failure = failure or message
                    if interactive:
                        continue
                    if err.kind not in AUTOLINK_ACCOUNT_FAILURES:
                        group._stripe_autolink_failed(message, err.retry_after)
                        continue
                    waiting = self.browse().union(*groups[index:])
                    waiting |= self.search(
                        [
                            ("stripe_link_state", "=", "pending"),
                            ("company_id", "=", company.id),
                            ("stripe_link_next_try", "<=", fields.Datetime.now()),
                        ]
                    )
                    waiting._stripe_autolink_failed(
                        message, err.retry_after, err.kind == "rate_limit"
                    )
                    break
                group._stripe_apply_lookup(*result)
        return failure

    def _stripe_apply_lookup(self, method, customers):
        """Link the tickets (of one company and email) to what the lookup found."""
        tickets = self.filtered(lambda t: not t.stripe_customer_id)
        if not tickets:
            return
        if len(customers) == 1:
            if len(tickets) == 1:
                tickets._stripe_set_link(
                    customers[0]["id"], method, customer=customers[0]
                )
            else:
                tickets._stripe_set_links(customers[0], method)
        elif customers:
            tickets.write(
                {
                    "stripe_link_state": "ambiguous",
                    "stripe_candidate_ids": ",".join(c["id"] for c in customers),
                    "stripe_link_error": False,
                }
            )
        else:
            tickets.write(
                {"stripe_link_state": "not_found", "stripe_link_error": False}
            )

    def _stripe_set_links(self, customer, method):
        """:meth:`_stripe_set_link` for many unlinked tickets of one company.

        One write and one batch of notes, for the queue and the backfill.
        """
        self.write(
            {
                "stripe_customer_id": customer["id"],
                "stripe_link_method": method,
                "stripe_link_state": "linked",
                "stripe_candidate_ids": False,
                "stripe_link_error": False,
                "stripe_link_next_try": False,
            }
        )
        company = self.company_id[:1] or self.env.company
        if company.stripe_link_sets_partner:
            partners = self.partner_id.with_company(company).sudo()
            partners.filtered(
                lambda p: not p.stripe_customer_id
            ).stripe_customer_id = customer["id"]
        body = self._stripe_link_note_body(customer["id"], method, False, customer)
        self._message_log_batch(
            bodies=dict.fromkeys(self.ids, body), message_type="comment"
        )

    def _stripe_autolink_failed(self, message, retry_after=None, rate_limited=False):
        """Leave the tickets queued and retry later.

        The delay doubles with each attempt (from 1 minute, or 10 seconds for a
        429, up to 6 hours); a ``Retry-After`` from Stripe is obeyed.
        """
        if not self:
            return
        now = fields.Datetime.now()
        for attempts, tickets in self.grouped(
            lambda t: t.stripe_link_attempts + 1
        ).items():
            tickets.write(
                {
                    "stripe_link_attempts": attempts,
                    "stripe_link_next_try": now
                    + timedelta(
                        seconds=autolink_backoff(attempts, retry_after, rate_limited)
                    ),
                    "stripe_link_error": message,
                }
            )
        _logger.info("Stripe auto-link postponed for %s: %s", len(self), message)
        cron = self.env.ref("helpdesk_stripe.ir_cron_stripe_autolink").sudo()
        cron._trigger(at=min(self.mapped("stripe_link_next_try")))
