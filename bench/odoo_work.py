"""The bench's work inside Odoo (this process): setup, ticket creation, backfill.

Each ticket is created in a transaction of its own, as the mail gateway does.
"""

import time

import odoo
from odoo import SUPERUSER_ID, api

ADMIN_ID = 2


def registry(db_name):
    return odoo.modules.registry.Registry(db_name)


def _env(cr, uid=SUPERUSER_ID):
    return api.Environment(cr, uid, {})


def make_team(db_name):
    with registry(db_name).cursor() as cr:
        return _env(cr)["helpdesk.ticket.team"].create({"name": "Bench"}).id


def connect_stripe(db_name, api_base, key, **values):
    """Connect the main company to (a proxy in front of) localstripe."""
    with registry(db_name).cursor() as cr:
        env = _env(cr)
        env.company.write(
            {
                "stripe_secret_key": key,
                "stripe_api_base": api_base,
                "stripe_connected": True,
                "stripe_mode": "test",
                "stripe_autolink_enabled": True,
                **values,
            }
        )


def make_linked_tickets(db_name, team_id, customer_ids):
    with registry(db_name).cursor() as cr:
        tickets = _env(cr)["helpdesk.ticket"].create(
            [
                {
                    "name": f"Panel {i}",
                    "description": "<p>Refund?</p>",
                    "team_id": team_id,
                    "stripe_customer_id": customer_id,
                }
                for i, customer_id in enumerate(customer_ids)
            ]
        )
        return tickets.ids


def ticket_values(index, team_id, emails):
    return {
        "name": f"Where is my refund? #{index}",
        "description": "<p>I was charged twice this month. Please help.</p>",
        "team_id": team_id,
        "partner_email": f'"Customer {index}" <{emails[index % len(emails)]}>',
    }


def create_tickets(db_name, team_id, emails, start, count):
    """Create ``count`` tickets, one transaction each, as an agent; seconds."""
    reg = registry(db_name)
    started = time.perf_counter()
    for index in range(start, start + count):
        with reg.cursor() as cr:
            env = _env(cr, ADMIN_ID)
            env["helpdesk.ticket"].create(ticket_values(index, team_id, emails))
    return time.perf_counter() - started


def count_queued(db_name):
    """Tickets waiting for the auto-link cron."""
    with registry(db_name).cursor() as cr:
        return _env(cr)["helpdesk.ticket"].search_count(
            [("stripe_link_state", "=", "pending")]
        )


def delete_unlinked_tickets(db_name):
    """Forget the tickets of the other benchmarks (the backfill would take them)."""
    with registry(db_name).cursor() as cr:
        _env(cr)["helpdesk.ticket"].search(
            [("stripe_customer_id", "=", False)]
        ).unlink()


def create_old_tickets(db_name, team_id, emails, count, batch=1000):
    """Tickets from before Stripe was connected (auto-link off, no chatter)."""
    reg = registry(db_name)
    ctx = {
        "tracking_disable": True,
        "mail_create_nolog": True,
        "mail_create_nosubscribe": True,
        "mail_notrack": True,
    }
    with reg.cursor() as cr:
        _env(cr).company.stripe_autolink_enabled = False
    for start in range(0, count, batch):
        with reg.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, ctx)
            env["helpdesk.ticket"].create(
                [
                    ticket_values(i, team_id, emails)
                    for i in range(start, min(start + batch, count))
                ]
            )
    with reg.cursor() as cr:
        _env(cr).company.stripe_autolink_enabled = True


def run_backfill(db_name, max_runs=500):
    """Queue every unlinked ticket, then run the cron until nothing is due.

    :return: ``(queued, states)`` with the tickets' link states counted
    """
    reg = registry(db_name)
    with reg.cursor() as cr:
        env = _env(cr, ADMIN_ID)
        action = env["helpdesk.ticket"].action_stripe_backfill()
        queued = action["params"]["message"]
    due = [
        ("stripe_link_state", "=", "pending"),
        ("stripe_link_next_try", "<=", odoo.fields.Datetime.now()),
    ]
    for _run in range(max_runs):
        with reg.cursor() as cr:  # one transaction per batch, like the cron
            tickets = _env(cr)["helpdesk.ticket"]
            if not tickets.search_count(due):
                break
            tickets._cron_stripe_autolink()
    with reg.cursor() as cr:
        groups = _env(cr)["helpdesk.ticket"]._read_group(
            [], ["stripe_link_state"], ["__count"]
        )
    return queued, dict(groups)


def close_all():
    odoo.sql_db.close_all()
