"""The project's test command (``make test``).

1. The standalone suite (``tests_standalone/``): gateway and money unit tests,
   gateway integration tests against a real localstripe, ruff and pylint-odoo.
   It needs no Odoo and runs on any machine.
2. The Odoo suite (``tests/``: TransactionCase, HttpCase and browser tours) through
   pytest-odoo, in a fresh database with helpdesk_mgmt + helpdesk_stripe installed,
   whenever ``odoo`` is importable and PostgreSQL is reachable. Odoo's ``ODOO_RC``
   config file and the ``PG*`` variables are honoured. Otherwise one line says the
   Odoo suite was skipped and why.

Finally one line sums up both: ``helpdesk_stripe: N passed, N failed, N skipped``.
Extra arguments go to the Odoo suite's pytest (``-k``, ``-x``...).
"""

import configparser
import getpass
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, ".work")
PYTHON = sys.executable


def log(message):
    print(f"[make test] {message}", flush=True)


def run_pytest(args, junit, cwd=ROOT):
    cmd = [PYTHON, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={junit}"]
    log(" ".join(cmd[1:] + args))
    return subprocess.call(cmd + args, cwd=cwd)


def junit_counts(path):
    """Passed, failed and skipped test cases of a JUnit XML report.

    Counted from the ``<testcase>`` elements: the suite's ``tests`` attribute
    also counts subtests, which pytest's own summary does not.
    """
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    if not os.path.exists(path):
        return counts
    for case in ET.parse(path).getroot().iter("testcase"):
        outcomes = {child.tag for child in case}
        if outcomes & {"failure", "error"}:
            counts["failed"] += 1
        elif "skipped" in outcomes:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


def db_options():
    """Odoo database options from ODOO_RC and the PG* variables."""
    options = {}
    rc = os.environ.get("ODOO_RC")
    if rc and os.path.exists(rc):
        parser = configparser.ConfigParser()
        parser.read(rc)
        if parser.has_section("options"):
            # Odoo writes unset options as "False" (db_host = False: the
            # local socket, which this machine's PostgreSQL may not offer).
            options.update(
                (key, value)
                for key, value in parser["options"].items()
                if value.strip() not in ("", "False", "None")
            )
    env_map = {
        "PGHOST": "db_host",
        "PGPORT": "db_port",
        "PGUSER": "db_user",
        "PGPASSWORD": "db_password",
    }
    for var, key in env_map.items():
        if os.environ.get(var):
            options[key] = os.environ[var]
    options.setdefault("db_host", "127.0.0.1")
    options.setdefault("db_port", "5432")
    options.setdefault("db_user", getpass.getuser())
    return options


def odoo_unavailable_reason(options):
    """Why the Odoo suite cannot run here, or None when it can."""
    spec = importlib.util.find_spec("odoo")
    if spec is None:
        return "'import odoo' fails for this Python (" + PYTHON + ")"
    if spec.origin is None:
        # Addons installed with pip (odoo-addon-helpdesk_mgmt) make a namespace
        # package "odoo" of their own, without Odoo in it.
        return (
            "Odoo itself is not installed for this Python (" + PYTHON + "): "
            "'odoo' is only the namespace of pip-installed addons, in "
            + ", ".join(spec.submodule_search_locations or [])
        )
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed"
    try:
        pg_connect(options).close()
    except psycopg2.Error as err:
        return f"PostgreSQL is not reachable ({str(err).strip()})"
    if importlib.util.find_spec("odoo.addons.helpdesk_mgmt") is None:
        return (
            "helpdesk_mgmt is not installed "
            "(pip install --no-deps 'odoo-addon-helpdesk_mgmt>=18.0,<18.1')"
        )
    return None


def addons_path(copy=True):
    """Odoo's own addons, helpdesk_mgmt's folder and ours.

    Ours is a folder named ``helpdesk_stripe`` outside the checkout (whose root is
    itself a package that pytest would import, and whose name may be anything):
    a fresh copy for the tests, a symlink for the demo.
    """
    import odoo.addons

    helpdesk_mgmt = importlib.util.find_spec("odoo.addons.helpdesk_mgmt")
    helpdesk_mgmt_dir = next(iter(helpdesk_mgmt.submodule_search_locations))
    tag = hashlib.sha1(ROOT.encode()).hexdigest()[:8]
    kind = "addons" if copy else "demo_addons"
    ours = os.path.join(tempfile.gettempdir(), f"helpdesk_stripe_{kind}_{tag}")
    link = os.path.join(ours, "helpdesk_stripe")
    os.makedirs(ours, exist_ok=True)
    if os.path.islink(link):
        os.unlink(link)
    shutil.rmtree(link, ignore_errors=True)
    if copy:
        shutil.copytree(
            ROOT,
            link,
            ignore=shutil.ignore_patterns(
                ".git", ".work", "node_modules", "__pycache__", "*.pyc", ".*_cache"
            ),
        )
    else:
        os.symlink(ROOT, link)
    paths = [ours, os.path.dirname(helpdesk_mgmt_dir)]
    odoo_root = os.path.dirname(os.path.dirname(odoo.__file__))
    for candidate in (
        os.path.join(odoo_root, "addons"),
        os.path.join(os.path.dirname(odoo.__file__), "addons"),
        *odoo.addons.__path__,
    ):
        if os.path.isdir(os.path.join(candidate, "web")) and candidate not in paths:
            paths.append(candidate)
    return paths, link


def write_config(options, db_name, paths, **extra):
    config = configparser.ConfigParser()
    config["options"] = {
        key: value
        for key, value in options.items()
        if key.startswith("db_") or key in ("admin_passwd", "data_dir")
    }
    config["options"].update(
        {
            "db_name": db_name,
            "dbfilter": f"^{db_name}$",
            "addons_path": ",".join(paths),
            "http_interface": "127.0.0.1",
            "without_demo": "all",
            "log_level": "warn",
            "max_cron_threads": "0",
            **extra,
        }
    )
    path = os.path.join(WORK, f"odoo-{db_name}.conf")
    with open(path, "w") as handle:
        config.write(handle)
    return path


def run_odoo_suite(options, junit):
    paths, link = addons_path()
    db_name = f"helpdesk_stripe_test_{os.getpid()}"
    config = write_config(options, db_name, paths)
    started = time.monotonic()
    log(f"installing helpdesk_stripe into a fresh database {db_name}")
    install = subprocess.call(
        [
            PYTHON,
            "-m",
            "odoo",
            "-c",
            config,
            "-i",
            "helpdesk_stripe",
            "--stop-after-init",
            "--no-http",
        ],
        cwd=WORK,
    )
    log(f"install took {time.monotonic() - started:.1f}s (exit {install})")
    try:
        if install != 0:
            log("installing the addon failed: the Odoo suite cannot run")
            return 1
        args = [
            f"--odoo-config={config}",
            "--odoo-http",
            "--odoo-log-level=warn",
            os.path.join(link, "tests"),
        ]
        args += sys.argv[1:]
        started = time.monotonic()
        rc = run_pytest(args, junit, cwd=os.path.dirname(link))
        log(f"Odoo suite took {time.monotonic() - started:.1f}s (exit {rc})")
        return rc
    finally:
        drop_database(options, db_name)


def pg_connect(options):
    import psycopg2

    return psycopg2.connect(
        host=options["db_host"],
        port=options["db_port"],
        user=options["db_user"],
        password=options.get("db_password") or None,
        dbname="postgres",
        connect_timeout=5,
    )


def drop_database(options, db_name):
    """Drop a database of ours and its filestore."""
    conn = pg_connect(options)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    conn.close()
    data_dir = os.path.expanduser("~/.local/share/Odoo/filestore/" + db_name)
    shutil.rmtree(data_dir, ignore_errors=True)


def main():
    os.makedirs(WORK, exist_ok=True)
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    failures = []

    # HELPDESK_STRIPE_ODOO_ONLY=1 skips the standalone suite (quicker iterations).
    if not os.environ.get("HELPDESK_STRIPE_ODOO_ONLY"):
        junit = os.path.join(WORK, "standalone.xml")
        rc = run_pytest(["tests_standalone"], junit)
        if rc not in (0, 5):
            failures.append(f"standalone suite exited {rc}")
        for key, value in junit_counts(junit).items():
            totals[key] += value

    if os.environ.get("HELPDESK_STRIPE_SKIP_ODOO"):
        reason = "HELPDESK_STRIPE_SKIP_ODOO is set"
    else:
        options = db_options()
        reason = odoo_unavailable_reason(options)
    if reason:
        print(f"Odoo suite SKIPPED: {reason}.", flush=True)
    else:
        junit = os.path.join(WORK, "odoo.xml")
        rc = run_odoo_suite(options, junit)
        if rc not in (0, 5):
            failures.append(f"Odoo suite exited {rc}")
        for key, value in junit_counts(junit).items():
            totals[key] += value

    print(
        f"helpdesk_stripe: {totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['skipped']} skipped",
        flush=True,
    )
    if failures:
        print("FAILED: " + "; ".join(failures), flush=True)
        return 1
    if totals["passed"] == 0:
        print("FAILED: no test ran", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
