# helpdesk_stripe — developer commands. See README.md.
PYTHON ?= python3
DEMO_PORT ?= 8069
LOCALSTRIPE_PORT ?= 8420
DEMO_DB ?= helpdesk_stripe_demo

.PHONY: demo test bench deps lint

## make demo: localstripe + seeded customers + an Odoo with demo tickets on :8069
demo:
	$(PYTHON) tools/demo.py --http-port $(DEMO_PORT) --localstripe-port $(LOCALSTRIPE_PORT) --db $(DEMO_DB)

## make test: standalone suite everywhere; the Odoo suite where Odoo is importable
test:
	$(PYTHON) tools/run_tests.py

## make bench: the benchmarks under bench/ (needs Odoo)
bench:
	$(PYTHON) bench/run.py

## make deps: what the tests need from the package registries
deps:
	$(PYTHON) -m pip install -q -r requirements.txt -r requirements-dev.txt
	$(PYTHON) -m pip install -q --no-deps 'odoo-addon-helpdesk_mgmt>=18.0,<18.1'
	npm ci --no-audit --no-fund --loglevel=error

lint:
	$(PYTHON) -m pytest -p no:cacheprovider tests_standalone/test_lint.py
