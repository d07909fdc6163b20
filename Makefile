# Matinale — common tasks. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
CARGO ?= cargo
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export MATINALE_DATABASE_URL ?= sqlite://matinale.db?mode=rwc

.PHONY: run test test-tools test-report fuzz test-sqlite test-postgres bench bench-scheduler bench-registrations bench-seat-claim bench-meetings bench-replan lint fmt openapi clean-test-dbs

## Build, migrate the SQLite file, load the demo if empty, serve on :8080. seed-demo prints the
## demo's event page, the console and the API docs (the addresses serve answers).
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
run:
	$(CARGO) build --bin matinale
	$(TARGET_DIR)/debug/matinale seed-demo
	@echo "API on http://127.0.0.1:8080/api/v1 (MATINALE_BIND changes the address)"
	$(TARGET_DIR)/debug/matinale serve

# The tests' Python helpers (SMTP server, iCalendar parser, browser driver) run in a virtual
# environment of the project, `.venv/` (gitignored), made and filled by one `pip install`;
# nothing is installed system-wide. The tests read the interpreter from MATINALE_TEST_PYTHON.
VENV := $(CURDIR)/.venv
PYTHON_TOOLS := aiosmtpd 'icalendar>=6' selenium
export MATINALE_TEST_PYTHON ?= $(VENV)/bin/python
# What a test could not check here (a tool missing, outside CI) is appended to this file and
# printed at the end of `make test`.
export MATINALE_TEST_SKIPS ?= $(CURDIR)/target/test-skips.txt

## The whole suite: every crate on SQLite, then the HTTP tests on PostgreSQL; its last lines
## say what could not be checked here (with CI set, a missing tool fails instead).
test:
	@$(MAKE) --no-print-directory test-tools
	@mkdir -p "$$(dirname "$$MATINALE_TEST_SKIPS")" && : > "$$MATINALE_TEST_SKIPS"
	@status=0; $(MAKE) --no-print-directory test-sqlite test-postgres || status=$$?; \
	  $(MAKE) --no-print-directory test-report; exit $$status

# The virtual environment with the helpers' packages; made again when this list changes.
test-tools: $(VENV)/.tools
$(VENV)/.tools: Makefile
	@if [ "$(MATINALE_TEST_PYTHON)" != "$(VENV)/bin/python" ]; then exit 0; fi; \
	if python3 -m venv "$(VENV)" && "$(VENV)/bin/pip" install --quiet --disable-pip-version-check $(PYTHON_TOOLS); then \
	  touch "$@"; \
	elif [ -n "$$CI" ]; then \
	  echo "the test tools could not be installed in $(VENV) and CI is set: failing" >&2; exit 1; \
	else \
	  echo "!!!!! the test tools could not be installed in $(VENV): the tests that need them will skip" >&2; \
	fi

# The last lines of `make test`: what this machine could not check.
test-report:
	@if [ -s "$$MATINALE_TEST_SKIPS" ]; then \
	  echo; echo "!!!!! NOT CHECKED on this machine ($$(sort -u "$$MATINALE_TEST_SKIPS" | wc -l) tests skipped, see above):"; \
	  sort -u "$$MATINALE_TEST_SKIPS" | sed 's/^/  - /'; \
	  echo "Install what is named (a browser: apt-get install -y chromium chromium-driver) or set CI to fail instead."; \
	else echo; echo "Every test ran: nothing was skipped."; fi

## Contract run: schemathesis against the binary on a seeded SQLite file (tests/fuzz/).
fuzz:
	tests/fuzz/run_schemathesis.sh

test-sqlite:
	$(CARGO) test --workspace

# With CI set, an unreachable PostgreSQL fails the run; elsewhere it is skipped loudly.
# Each test drops its database when it ends; the run drops any left (a test that crashed, a
# run stopped half-way) before and after.
test-postgres:
	@if pg_isready -q -d "$(PG_URL)" 2>/dev/null; then \
	  $(MAKE) --no-print-directory clean-test-dbs && status=0 && \
	  { TEST_DATABASE_URL="$(PG_URL)" $(CARGO) test --test api || status=$$?; } && \
	  $(MAKE) --no-print-directory clean-test-dbs && exit $$status; \
	elif [ -n "$$CI" ]; then \
	  echo "PostgreSQL at $(PG_URL) is unreachable and CI is set: failing" >&2; exit 1; \
	else \
	  echo "!!!!! PostgreSQL at $(PG_URL) is unreachable: PostgreSQL tests SKIPPED (set CI to fail instead)" >&2; \
	  echo "make test-postgres: every HTTP test on PostgreSQL (PostgreSQL at $(PG_URL) unreachable)" >> "$$MATINALE_TEST_SKIPS"; \
	fi

# Drops the per-test databases (mt_*) left by earlier runs; one still in use (another run on
# the same server) is left alone.
clean-test-dbs:
	@psql "$(PG_URL)" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'mt\_%'" \
	  | while read -r db; do psql "$(PG_URL)" -qc "DROP DATABASE IF EXISTS \"$$db\"" >/dev/null 2>&1 || true; done

## Benchmarks (release builds); figures go to BENCHMARKS.md.
bench: bench-scheduler bench-registrations bench-meetings bench-replan

bench-scheduler:
	$(CARGO) run --release -p matinale-scheduler --example bench

# 4000 registrations by 64 concurrent clients for 50 seats in quotas; fails if a seat is oversold.
# PostgreSQL is on loopback here, so without TLS (as over a Unix socket).
PG_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
bench-registrations:
	$(CARGO) run --release --example registration_rush -- sqlite 4000 64
	@if pg_isready -q -d "$(PG_URL)" 2>/dev/null; then \
	  $(CARGO) run --release --example registration_rush -- "$(PG_BENCH_URL)" 4000 64 && \
	  $(MAKE) --no-print-directory bench-seat-claim; \
	else echo "!!!!! PostgreSQL at $(PG_URL) is unreachable: registration rush on PostgreSQL SKIPPED" >&2; fi

# pgbench's seat claim: the database alone, 64 clients claiming the first free of 50 seats
# (SKIP LOCKED) and writing a row, one statement a transaction, 4,032 in all: the rate the rush
# on PostgreSQL (HTTP, the registration, its history and mail) must stay at or above.
# Without TLS, as the rush's PG_BENCH_URL.
PG_SEATS_URL ?= postgres://postgres@127.0.0.1:5432/mt_pgbench_seats?sslmode=disable
bench-seat-claim:
	@psql "$(PG_URL)" -qc 'DROP DATABASE IF EXISTS mt_pgbench_seats' -c 'CREATE DATABASE mt_pgbench_seats' 2>/dev/null
	@psql "$(PG_SEATS_URL)" -qf examples/pgbench/seat_claim_setup.sql
	@echo "pgbench's seat claim (64 clients, 4,032 claims of 50 seats):"
	@pgbench -n -c 64 -j 2 -t 63 -f examples/pgbench/seat_claim.sql "$(PG_SEATS_URL)" \
	  | grep -E '^(number of transactions actually processed|latency average|tps)'
	@psql "$(PG_URL)" -qc 'DROP DATABASE mt_pgbench_seats'

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

# Speed meetings end to end (database filled through the store, HTTP calls timed): forum and
# regional sizes, on SQLite then PostgreSQL; fails if a draft's objective differs from the
# offline scheduler's on the same instance.
bench-meetings:
	$(CARGO) run --release --example meetings_bench -- sqlite forum regional
	@if pg_isready -q -d "$(PG_URL)" 2>/dev/null; then \
	  $(CARGO) run --release --example meetings_bench -- "$(PG_BENCH_URL)" forum regional; \
	else echo "!!!!! PostgreSQL at $(PG_URL) is unreachable: meetings bench on PostgreSQL SKIPPED" >&2; fi

# Re-planning on the day (examples/replan_bench.rs): forum and regional, 20 % absent, the rest
# of the block re-planned from the third slot through the API, on SQLite then PostgreSQL; fails
# if a check does (an absent side to come, a meeting of present people moved, a wished pair
# idle next to a free table), not on time or quality, which it prints against their targets.
bench-replan:
	$(CARGO) run --release --example replan_bench -- sqlite forum regional
	@if pg_isready -q -d "$(PG_URL)" 2>/dev/null; then \
	  $(CARGO) run --release --example replan_bench -- "$(PG_BENCH_URL)" forum regional; \
	else echo "!!!!! PostgreSQL at $(PG_URL) is unreachable: re-plan bench on PostgreSQL SKIPPED" >&2; fi

## Rewrite openapi.yaml from the code (a test fails when they differ).
openapi:
	$(CARGO) run -q --bin matinale -- openapi > openapi.yaml
