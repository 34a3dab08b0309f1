# website_mail_group — project commands.  `make help` lists them.
# Every variable below can be overridden: make run HTTP_PORT=8080, make test TEST_DB=wmg_test_x
SHELL := /bin/bash

ODOO_SRC       ?=
PYTHON         ?=
DEMO_DB        ?= wmg_demo
HTTP_PORT      ?= 8069
SMTP_PORT      ?= 1025
MAIL_VIEW_PORT ?= 8025
MTA            ?=
POSTFIX_PORT   ?= 2525
ALIAS_DOMAIN   ?= groups.localhost
TEST_DB        ?=
PYTEST_ARGS    ?=

export ODOO_SRC PYTHON DEMO_DB HTTP_PORT SMTP_PORT MAIL_VIEW_PORT MTA POSTFIX_PORT ALIAS_DOMAIN TEST_DB PYTEST_ARGS

.DEFAULT_GOAL := help
.PHONY: help setup run test

help: ## List the commands
	@echo "website_mail_group — mailing lists for Odoo 17"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: ODOO_SRC=<Odoo 17 source tree> (to make the project's Python environment),"
	@echo "  PYTHON=<a python where Odoo 17 imports> (instead of the project's environment),"
	@echo "  DEMO_DB=$(DEMO_DB) HTTP_PORT=$(HTTP_PORT) SMTP_PORT=$(SMTP_PORT) MAIL_VIEW_PORT=$(MAIL_VIEW_PORT)"
	@echo "  ALIAS_DOMAIN=$(ALIAS_DOMAIN) RESET=1 (run: recreate the demo database)"
	@echo "  MTA=postfix POSTFIX_PORT=$(POSTFIX_PORT) (run: Postfix from deploy/ in front of Odoo)"
	@echo "  TEST_DB=<name> KEEP_DB=1 PYTEST_ARGS='-k ...' (test)"

setup: ## Install what is missing: Odoo 17 from ODOO_SRC, Python packages, PostgreSQL, Chromium
	@scripts/setup.sh

run: ## Set up, then serve the demo on http://localhost:8069 (HTTP_PORT); mail is caught locally
	@scripts/run.sh

test: ## Set up, lint, then install the addon in a fresh database and run every test (prints its time)
	@start=$$(date +%s); scripts/lint.sh && scripts/update_pot.sh --check && scripts/test.sh; rc=$$?; \
	 took=$$(( $$(date +%s) - start )); echo "[make test] exit $$rc after $$(( took / 60 )) min $$(( took % 60 )) s"; exit $$rc

.PHONY: lint
lint: ## ruff and pylint-odoo (OCA's Odoo checks), as make test runs them first
	@scripts/lint.sh

.PHONY: pot
pot: ## Refresh i18n/website_mail_group.pot with Odoo's exporter, merge it into i18n/*.po, list what to translate
	@scripts/update_pot.sh

.PHONY: bench
BENCH_ARGS ?=
bench: ## Benchmark vs Odoo's mail_group in one run: fan-out, storage, the wire's limit, sending (signed too), parallel sending, archive pages; then members synced from 100,000 contacts (ours)
	@scripts/setup.sh && scripts/python bench/run.py $(BENCH_ARGS) && scripts/python bench/sources.py

.PHONY: bench-parallel
bench-parallel: ## Benchmark sending with 1 worker, 2 workers and 2 servers vs Odoo's mail_group (BENCH_PARALLEL_ARGS='--parallel-send 2000')
	@scripts/setup.sh && scripts/python bench/run.py --parallel-only $(BENCH_PARALLEL_ARGS)

.PHONY: bench-archive
BENCH_ARCHIVE_ARGS ?=
bench-archive: ## Benchmark the web archive (100,000 posts) vs Odoo's website_mail_group (BENCH_ARCHIVE_ARGS='--requests 10')
	@scripts/setup.sh && scripts/python bench/archive.py $(BENCH_ARCHIVE_ARGS)
