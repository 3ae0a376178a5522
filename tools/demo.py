"""``make demo``: a local Stripe with realistic customers and an Odoo to try it in.

1. starts localstripe on 127.0.0.1 with its data in .work/demo/ (a private file);
2. seeds customers in USD, EUR and JPY (subscriptions active, trialing, past_due,
   canceled; a partially refunded payment; paid and open invoices; two customers
   sharing one email);
3. (re)creates the database ``helpdesk_stripe_demo`` (``--db``; an existing one of
   that name is dropped) with helpdesk_mgmt and
   helpdesk_stripe, connects it to localstripe and creates tickets from those
   customers' emails (one through the mail gateway);
4. runs Odoo on http://localhost:8069 (admin / admin) until Ctrl-C.
"""

import argparse
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_tests
from localstripe_process import LocalStripe
from seed_localstripe import seed_demo


def fail(message):
    print(f"make demo: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http-port", type=int, default=8069)
    parser.add_argument("--localstripe-port", type=int, default=8420)
    parser.add_argument(
        "--db",
        default="helpdesk_stripe_demo",
        help="database to (re)create: an existing one of that name is DROPPED",
    )
    parser.add_argument(
        "--setup-only",
        action="store_true",
        help="prepare everything, then stop instead of serving",
    )
    args = parser.parse_args()
    # Stopped by a signal (kill, a service manager): still stop localstripe,
    # which runs in a session of its own, in ``finally`` below.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))

    options = run_tests.db_options()
    reason = run_tests.odoo_unavailable_reason(options)
    if reason:
        fail(
            f"cannot start: {reason}.\n"
            "The demo needs Odoo 18.0 Community importable by this python3 "
            "(`python3 -c 'import odoo'` must work: install Odoo 18.0 from its "
            "source tree with its requirements.txt), helpdesk_mgmt 18.0 "
            "(pip install --no-deps 'odoo-addon-helpdesk_mgmt>=18.0,<18.1'), "
            "this repository's requirements (make deps) and a PostgreSQL server "
            "(PGHOST/PGPORT/PGUSER or ODOO_RC say where)."
        )

    demo_dir = os.path.join(run_tests.WORK, "demo")
    os.makedirs(demo_dir, exist_ok=True)
    localstripe = LocalStripe(
        port=args.localstripe_port,
        data_file=os.path.join(demo_dir, "localstripe.pickle"),
    )
    if localstripe.is_up():
        fail(f"something already listens on {localstripe.url}: stop it first")
    localstripe.start()
    print(f"localstripe: {localstripe.url} (data in {localstripe.data_file})")
    try:
        customers = seed_demo(localstripe.url)
        print(f"seeded {len(customers)} customer emails")
        paths, _link = run_tests.addons_path(copy=False)
        run_tests.drop_database(options, args.db)
        config = run_tests.write_config(
            options,
            args.db,
            paths,
            http_port=str(args.http_port),
            max_cron_threads="1",
            log_level="info",
            log_handler=":INFO,stripe:WARNING,werkzeug:WARNING",
        )
        print(f"creating database {args.db} (about a minute)…", flush=True)
        install = subprocess.call(
            [
                sys.executable,
                "-m",
                "odoo",
                "-c",
                config,
                "-i",
                "helpdesk_mgmt,helpdesk_stripe",
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
            ]
        )
        if install:
            fail(f"installing the addon failed (exit {install})")
        setup = subprocess.call(
            [
                sys.executable,
                os.path.join(HERE, "demo_setup.py"),
                config,
                localstripe.url,
            ]
        )
        if setup:
            fail(f"preparing the demo data failed (exit {setup})")
        if args.setup_only:
            print(f"demo database {args.db} is ready (config {config})")
            return
        print(
            f"\nOdoo: http://localhost:{args.http_port}  (login admin / admin)\n"
            "Helpdesk > Tickets: open a ticket and its Stripe tab. Ctrl-C stops.\n",
            flush=True,
        )
        try:
            subprocess.call([sys.executable, "-m", "odoo", "-c", config])
        except KeyboardInterrupt:
            pass
    finally:
        localstripe.stop()


if __name__ == "__main__":
    main()
