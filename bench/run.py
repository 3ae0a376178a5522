"""``make bench``: the issue's speed figures, each a ratio measured in this run.

Creates two fresh databases (helpdesk_mgmt alone; helpdesk_mgmt + helpdesk_stripe),
a private localstripe and a latency proxy in front of it, all on 127.0.0.1;
prints one ``name: value`` line per figure on stdout (progress on stderr), and
drops everything it made. See bench/README.md.
"""

import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(ROOT, "tools")]

import run_tests
from latency_proxy import LatencyProxy
from localstripe_process import TEST_KEY, LocalStripe, free_port
from seed_localstripe import Seeder

LATENCY = 0.100  # seconds, one round trip to Stripe
PANEL_CUSTOMERS = 10
CREATE_ROUNDS, CREATE_PER_ROUND, CREATE_WARMUP = 20, 50, 50
BACKFILL_TICKETS, BACKFILL_EMAILS = 10_000, 2_000
GOALS = {
    "panel_open_vs_round_trip": ("<=", 1.5),
    "stripe_calls_cold": ("<=", 3),
    "stripe_calls_warm": ("<=", 0),
    "ticket_create_overhead": ("<=", 1.10),
    "backfill_calls_per_distinct_email": ("<=", 1.0),
}
STARTED = time.monotonic()


def say(message):
    print(f"[bench {time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr)


def odoo(config, *args):
    cmd = [sys.executable, "-m", "odoo", "-c", config, *args]
    code = subprocess.call(cmd, cwd=run_tests.WORK)
    if code:
        raise RuntimeError(f"{' '.join(cmd)} exited with {code}")


def psql(options, statement):
    import psycopg2

    conn = psycopg2.connect(
        host=options["db_host"],
        port=options["db_port"],
        user=options["db_user"],
        password=options.get("db_password") or None,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(statement)
    conn.close()


def filestore(db_name):
    return os.path.expanduser(f"~/.local/share/Odoo/filestore/{db_name}")


def make_databases(options, base_db, stripe_db, base_conf, stripe_conf):
    say(f"installing helpdesk_mgmt into {base_db}")
    odoo(base_conf, "-i", "helpdesk_mgmt", "--stop-after-init", "--no-http")
    psql(options, f'CREATE DATABASE "{stripe_db}" TEMPLATE "{base_db}"')
    if os.path.isdir(filestore(base_db)):
        shutil.copytree(filestore(base_db), filestore(stripe_db))
    say(f"installing helpdesk_stripe into {stripe_db} (a copy)")
    odoo(stripe_conf, "-i", "helpdesk_stripe", "--stop-after-init", "--no-http")


def drop_databases(options, names):
    for name in names:
        psql(options, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(filestore(name), ignore_errors=True)


def seed_panel_customers(seeder):
    seeder.plan("bench-pro", "Pro", 2900, "usd", nickname="Pro monthly")
    ids = []
    for i in range(PANEL_CUSTOMERS + 1):
        customer = seeder.customer(f"panel{i}@example.com", f"Panel {i}")
        seeder.card(customer["id"])
        seeder.subscribe(customer["id"], "bench-pro")
        for amount in (1500, 4500):
            seeder.charge(customer["id"], amount, "usd", "Extra seats")
        ids.append(customer["id"])
    return ids


def bench_panel(stripe_db, stripe_conf, proxy, customer_ids):
    import odoo_work
    from panel import OdooServer, measure_panel, round_trip_seconds

    team_id = odoo_work.make_team(stripe_db)
    odoo_work.connect_stripe(stripe_db, proxy.url, TEST_KEY)
    ticket_ids = odoo_work.make_linked_tickets(stripe_db, team_id, customer_ids)
    server = OdooServer(stripe_conf, stripe_db, free_port(), run_tests.WORK)
    say("panel: starting Odoo's HTTP server")
    server.start()
    try:
        server.login()
        proxy.latency = LATENCY
        cold, cold_calls, warm_calls = measure_panel(
            server, proxy, ticket_ids[1:], warmup_id=ticket_ids[0]
        )
        round_trip = round_trip_seconds(proxy, TEST_KEY, customer_ids[0])
    finally:
        proxy.latency = 0
        server.stop()
    say(f"panel: cold open {cold * 1000:.0f} ms, round trip {round_trip * 1000:.0f} ms")
    return {
        "panel_open_vs_round_trip": cold / round_trip,
        "stripe_calls_cold": cold_calls,
        "stripe_calls_warm": warm_calls,
    }


def bench_create(base_db, stripe_db):
    """Rounds of 50 tickets in each database, back to back; median of the
    rounds' ratios (a burst of load elsewhere on the machine spoils a round, not
    the figure)."""
    import odoo_work

    emails = [f"new{i}@example.com" for i in range(50)]
    teams = {db: odoo_work.make_team(db) for db in (base_db, stripe_db)}
    for db, team in teams.items():  # warm the registries and caches
        odoo_work.create_tickets(db, team, emails, 0, CREATE_WARMUP)
    ratios, totals = [], dict.fromkeys(teams, 0.0)
    for round_ in range(CREATE_ROUNDS):
        order = list(teams) if round_ % 2 == 0 else list(teams)[::-1]
        start = CREATE_WARMUP + round_ * CREATE_PER_ROUND
        took = {
            db: odoo_work.create_tickets(db, teams[db], emails, start, CREATE_PER_ROUND)
            for db in order
        }
        ratios.append(took[stripe_db] / took[base_db])
        for db, seconds in took.items():
            totals[db] += seconds
    count = CREATE_ROUNDS * CREATE_PER_ROUND
    queued = odoo_work.count_queued(stripe_db)
    if queued < count:
        # The figure would measure bare ticket creation.
        raise RuntimeError(
            f"only {queued} of the {count} tickets were queued for auto-link"
        )
    say(
        f"create: {count} tickets in {totals[base_db]:.1f}s without the module, "
        f"{totals[stripe_db]:.1f}s with it and auto-link on; rounds: "
        + " ".join(f"{r:.2f}" for r in ratios)
    )
    return {"ticket_create_overhead": statistics.median(ratios)}


def bench_backfill(stripe_db, seeder, proxy):
    import odoo_work

    emails = [f"old{i}@example.com" for i in range(BACKFILL_EMAILS)]
    say(f"backfill: seeding {BACKFILL_EMAILS} Stripe customers")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda e: seeder.customer(e, "Old customer"), emails))
    team_id = odoo_work.make_team(stripe_db)
    odoo_work.delete_unlinked_tickets(stripe_db)
    say(f"backfill: creating {BACKFILL_TICKETS} old tickets")
    odoo_work.create_old_tickets(stripe_db, team_id, emails, BACKFILL_TICKETS)
    odoo_work.connect_stripe(
        stripe_db, proxy.url, TEST_KEY, stripe_backfill_rate=1000.0
    )
    proxy.reset()
    say("backfill: linking")
    queued, states = odoo_work.run_backfill(stripe_db)
    say(f"backfill: {queued} -> {states}")
    if states.get("linked", 0) != BACKFILL_TICKETS:
        raise RuntimeError(f"the backfill did not link every ticket: {states}")
    return {"backfill_calls_per_distinct_email": proxy.count / BACKFILL_EMAILS}


def main():
    # Stopped (timeout, Ctrl-C): still drop the databases in ``finally``.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    options = run_tests.db_options()
    reason = run_tests.odoo_unavailable_reason(options)
    if reason:
        print(f"bench needs Odoo: {reason}", file=sys.stderr)
        return 2
    os.makedirs(run_tests.WORK, exist_ok=True)
    paths, _link = run_tests.addons_path()
    base_db = f"helpdesk_stripe_bench_{os.getpid()}_base"
    stripe_db = f"helpdesk_stripe_bench_{os.getpid()}_stripe"
    base_conf = run_tests.write_config(options, base_db, paths)
    stripe_conf = run_tests.write_config(options, stripe_db, paths)
    figures = {}
    try:
        make_databases(options, base_db, stripe_db, base_conf, stripe_conf)
        import odoo

        odoo.tools.config.parse_config(["-c", stripe_conf])
        with (
            LocalStripe(persist=False) as localstripe,
            LatencyProxy(localstripe.url, latency=0) as proxy,
        ):
            seeder = Seeder(localstripe.url, TEST_KEY)
            customer_ids = seed_panel_customers(seeder)
            figures.update(bench_panel(stripe_db, stripe_conf, proxy, customer_ids))
            figures.update(bench_create(base_db, stripe_db))
            figures.update(bench_backfill(stripe_db, seeder, proxy))
    finally:
        if "odoo" in sys.modules:
            import odoo_work

            odoo_work.close_all()
        drop_databases(options, [base_db, stripe_db])
        for conf in (base_conf, stripe_conf):
            if os.path.exists(conf):
                os.unlink(conf)
    failed = []
    for name, value in figures.items():
        print(f"{name}: {value:.2f}", flush=True)
        op, goal = GOALS[name]
        if value > goal:
            failed.append(f"{name} {value:.2f} (goal {op} {goal})")
    say(f"done in {time.monotonic() - STARTED:.0f}s")
    if failed:
        print("bench: over goal: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
