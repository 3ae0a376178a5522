# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The cancel dialog's summary, its confirmation and the note it leaves."""

import time

from odoo import models
from odoo.exceptions import UserError

from ..stripe_gateway import StripeGatewayError
from ..stripe_gateway.client import UNCERTAIN_WRITE_KINDS
from ..utils import format_ts_date, stripe_error_message, stripe_user_errors
from .helpdesk_stripe_action_mixin import ACTION_KEY_METADATA


class HelpdeskStripeCancelWizard(models.TransientModel):
    _inherit = "helpdesk.stripe.cancel.wizard"

    # === SUMMARY AND NOTE === #

    def _stripe_sub_name(self):
        return f"{self.subscription_label} ({self.subscription_id})"

    def _stripe_summary(self):
        self.ensure_one()
        sub = self._stripe_sub_name()
        if self.state == "done":
            return [self.env._("Done.")]
        if self.is_undo:
            return [
                self.env._(
                    "The cancellation of %(sub)s scheduled for %(date)s will be "
                    "undone: it renews then.",
                    sub=sub,
                    date=self.period_end_display,
                ),
                self._stripe_note_sentence(),
            ]
        if self.when == "now":
            lines = [self.env._("%(sub)s will be cancelled now.", sub=sub)]
            if self.invoice_now:
                lines.append(self.env._("Pending usage is invoiced at once."))
            if self.prorate:
                lines.append(self.env._("Unused time is credited to the balance."))
        else:
            lines = [
                self.env._(
                    "%(sub)s will be cancelled at the end of the current period, on "
                    "%(date)s; it runs until then.",
                    sub=sub,
                    date=self.period_end_display,
                )
            ]
        lines.append(self._stripe_refund_sentence())
        lines.append(self._stripe_note_sentence())
        return lines

    def _stripe_note_sentence(self):
        return self.env._(
            "An internal note will be posted on ticket %(ticket)s.",
            ticket=self.ticket_id.number,
        )

    def _stripe_refund_problem(self):
        """Why the chosen refund cannot be made, or ``""``."""
        if self.refund_method == "none":
            return ""
        if not self.refunds_allowed:
            return self.env._("Refunds from tickets are not allowed here.")
        if self.prorate and self.when == "now":
            return self.env._(
                "Stripe's credit of unused time and a refund would compensate the "
                "customer twice: choose one of them."
            )
        if self.refund_method == "prorated" and self.when != "now":
            return self.env._(
                "A cancellation at the end of the period leaves no unused time to "
                "refund."
            )
        if self.refund_unavailable:
            return self.refund_unavailable
        if self.refund_amount <= 0:
            return self.env._(
                "The current period was not paid by the last payment: there is no "
                "unused time to refund."
            )
        return ""

    def _stripe_refund_sentence(self):
        if self.refund_method == "none":
            return self.env._("No refund.")
        problem = self._stripe_refund_problem()
        if problem:
            return problem
        if self.refund_method == "prorated":
            return self.env._(
                "%(amount)s of payment %(charge)s will be refunded: %(unused)s of "
                "%(days)s days unused.",
                amount=self.refund_amount_display,
                charge=self.refund_charge_id,
                unused=self.unused_days,
                days=self.period_days,
            )
        return self.env._(
            "%(amount)s of payment %(charge)s, the last one, will be refunded.",
            amount=self.refund_amount_display,
            charge=self.refund_charge_id,
        )

    # === ACTION METHODS === #

    def action_confirm(self):
        """Cancel (or schedule, or undo) in Stripe, refund, note, close.

        The subscription and the refunded payment are read again first. The
        refund comes after the cancellation: when the cancellation fails
        nothing is refunded; when the refund fails, the note and the agent say
        that the subscription is cancelled and the refund was not made.
        """
        self.ensure_one()
        if self.state == "done":
            return self._stripe_close_action()
        ticket = self.ticket_id
        company = ticket._stripe_check_action("cancel")
        amount = 0 if self.is_undo else self.refund_amount
        if not self.is_undo and self.refund_method != "none":
            ticket._stripe_check_action("refund")
            problem = self._stripe_refund_problem()
            if problem:
                raise UserError(problem)
            ticket._stripe_check_refund_cap(amount, self.currency)
        reason = self._stripe_internal_reason()
        ticket._stripe_lock()
        gateway = company._stripe_gateway()
        self._stripe_check_customer(gateway)
        sub = self._stripe_read_subscription(ticket, gateway, self.subscription_id)
        self._stripe_check_subscription(sub, self.is_undo, self.when)
        charge = self._stripe_recheck_refund(gateway, amount) if amount else None
        key = self._stripe_action_key(
            "cancel",
            self.subscription_id,
            self.is_undo,
            self.when,
            self.invoice_now,
            self.prorate,
            self.refund_method,
            amount,
            reason,
        )
        with stripe_user_errors(self.env):
            result = self._stripe_cancel(gateway, key, reason)
        refund, refund_error, uncertain = None, "", False
        if charge:
            refund_key = self._stripe_action_key("refund", charge["id"], amount, key)
            try:
                refund = gateway.create_refund(
                    charge["id"],
                    amount,
                    refund_key,
                    metadata=self._stripe_metadata(refund_key, reason),
                )
            except StripeGatewayError as err:
                refund, refund_error, uncertain = self._stripe_refund_outcome(
                    gateway, charge["id"], refund_key, err
                )
        self.refund_uncertain = uncertain
        self._stripe_post_cancel_note(result, reason, refund, refund_error)
        self.write(
            {
                "state": "done",
                "refund_id": refund["id"] if refund else False,
                "refund_error": refund_error or False,
            }
        )
        if refund_error:
            return self._stripe_refund_failed_action(refund_error)
        return self._stripe_close_action()

    def _stripe_refund_outcome(self, gateway, charge_id, refund_key, err):
        """What became of a refund whose request failed.

        A timeout or a Stripe server error leaves it unknown whether the
        refund was made: the payment's refunds are read to find it by the
        action's key.

        :return: ``(refund, error, uncertain)``: the refund when it was made
            after all, else ``None``, the message for the note and the agent,
            and whether the refund may still have been made
        """
        message = stripe_error_message(self.env, err)
        if err.kind not in UNCERTAIN_WRITE_KINDS:
            return None, message, False
        try:
            refund = gateway.find_refund(charge_id, ACTION_KEY_METADATA, refund_key)
        except StripeGatewayError:
            refund = None
        if refund:
            return refund, "", False
        return (
            None,
            self.env._(
                "%(error)s Stripe did not confirm the refund: check payment "
                "%(charge)s in Stripe before refunding it again.",
                error=message,
                charge=charge_id,
            ),
            True,
        )

    def _stripe_recheck_refund(self, gateway, amount):
        """The payment to refund, read again: still the last one, still enough."""
        with stripe_user_errors(self.env):
            invoice = gateway.last_paid_invoice(self.subscription_id)
            charge_id = invoice and gateway.invoice_charge_id(invoice)
            if charge_id != self.refund_charge_id:
                raise UserError(
                    self.env._(
                        "The subscription's last payment changed since this dialog "
                        "opened. Close it and start again."
                    )
                )
            charge = gateway.get_charge(charge_id)
        if amount > charge["refundable"]:
            raise UserError(
                self.env._(
                    "Only %(max)s of payment %(charge)s can still be refunded, "
                    "less than %(amount)s. Close the dialog and start again.",
                    max=self._stripe_format(charge["refundable"]),
                    charge=charge_id,
                    amount=self._stripe_format(amount),
                )
            )
        return charge

    def _stripe_cancel(self, gateway, key, reason):
        metadata = self._stripe_metadata(key, reason)
        if self.is_undo:
            return gateway.set_cancel_at_period_end(
                self.subscription_id, False, key, metadata=metadata
            )
        comment = self._stripe_comment(reason)
        if self.when == "period_end":
            return gateway.set_cancel_at_period_end(
                self.subscription_id, True, key, comment=comment, metadata=metadata
            )
        return gateway.cancel_subscription(
            self.subscription_id,
            key,
            comment=comment,
            invoice_now=self.invoice_now,
            prorate=self.prorate,
        )

    def _stripe_refund_failed_action(self, error):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "title": self.env._("Cancelled, but the refund failed"),
                "message": self.env._(
                    "%(sub)s is cancelled, but Stripe did not confirm the refund "
                    "of %(amount)s: %(error)s The ticket's note says so.",
                    sub=self._stripe_sub_name(),
                    amount=self.refund_amount_display,
                    error=error,
                )
                if self.refund_uncertain
                else self.env._(
                    "%(sub)s is cancelled, but Stripe refused the refund of "
                    "%(amount)s: %(error)s Nothing was refunded; the ticket's note "
                    "says so.",
                    sub=self._stripe_sub_name(),
                    amount=self.refund_amount_display,
                    error=error,
                ),
                "next": self._stripe_close_action(),
            },
        }

    def _stripe_post_cancel_note(self, sub, reason, refund, refund_error):
        name = self._stripe_sub_name()
        if self.is_undo:
            title = self.env._(
                "Undid the scheduled cancellation of Stripe subscription %(sub)s",
                sub=name,
            )
            lines = [
                self.env._(
                    "It renews on %(date)s.",
                    date=format_ts_date(self.env, sub["current_period_end"]),
                )
            ]
        elif self.when == "period_end":
            title = self.env._(
                "Scheduled the cancellation of Stripe subscription %(sub)s", sub=name
            )
            lines = [
                self.env._(
                    "Takes effect on %(date)s, at the end of the current period.",
                    date=format_ts_date(
                        self.env, sub["cancel_at"] or sub["current_period_end"]
                    ),
                )
            ]
        else:
            title = self.env._("Cancelled Stripe subscription %(sub)s", sub=name)
            lines = [
                self.env._(
                    "Took effect immediately, on %(date)s (status: %(status)s).",
                    # Local servers leave canceled_at empty.
                    date=format_ts_date(
                        self.env, sub["canceled_at"] or int(time.time())
                    ),
                    status=sub["status"],
                ),
                self.env._(
                    "Final invoice now: %(invoice_now)s. Unused time credited: "
                    "%(prorate)s.",
                    invoice_now=self.env._("yes")
                    if self.invoice_now
                    else self.env._("no"),
                    prorate=self.env._("yes") if self.prorate else self.env._("no"),
                ),
            ]
        if not self.is_undo:
            lines.append(self._stripe_refund_note_line(refund, refund_error))
        lines += [
            self.env._("Internal reason: %(reason)s", reason=reason),
            self.env._("By: %(agent)s", agent=self._stripe_agent()),
        ]
        self._stripe_post_note(title, lines)

    def _stripe_refund_note_line(self, refund, refund_error):
        method = dict(self._fields["refund_method"]._description_selection(self.env))[
            self.refund_method
        ]
        if refund_error and self.refund_uncertain:
            return self.env._(
                "Refund NOT CONFIRMED: %(amount)s of payment %(charge)s "
                "(%(method)s) may or may not have been refunded. %(error)s",
                amount=self.refund_amount_display,
                charge=self.refund_charge_id,
                method=method,
                error=refund_error,
            )
        if refund_error:
            return self.env._(
                "Refund FAILED: %(amount)s of payment %(charge)s (%(method)s) was "
                "not refunded. Stripe said: %(error)s",
                amount=self.refund_amount_display,
                charge=self.refund_charge_id,
                method=method,
                error=refund_error,
            )
        if refund:
            return self.env._(
                "Refund: %(amount)s of payment %(charge)s (%(method)s), refund "
                "%(refund)s (%(status)s)",
                amount=self._stripe_format(refund["amount"]),
                charge=self.refund_charge_id,
                method=method,
                refund=refund["id"],
                status=refund["status"] or "?",
            )
        return self.env._("Refund: none")
