# Matinale — common tasks. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
CARGO ?= cargo
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export MATINALE_DATABASE_URL ?= sqlite://matinale.db?mode=rwc

.PHONY: run test fuzz test-sqlite test-postgres bench bench-scheduler bench-registrations bench-meetings lint fmt openapi clean-test-dbs

## Build, migrate the SQLite file, load the demo if empty, serve on :8080. seed-demo prints the
## demo's event page, the console and the API docs (the addresses serve answers).
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
run:
	$(CARGO) build --bin matinale
	$(TARGET_DIR)/debug/matinale seed-demo
	@echo "API on http://127.0.0.1:8080/api/v1 (MATINALE_BIND changes the address)"
	$(TARGET_DIR)/debug/matinale serve

## The whole suite: every crate on SQLite, then the HTTP tests on PostgreSQL.
test: test-sqlite test-postgres

## Contract run: schemathesis against the binary on a seeded SQLite file (tests/fuzz/).
fuzz:
	tests/fuzz/run_schemathesis.sh

test-sqlite:
	$(CARGO) test --workspace

# With CI set, an unreachable PostgreSQL fails the run; elsewhere it is skipped loudly.
test-postgres:
	@if pg_isready -q -d "$(PG_URL)" 2>/dev/null; then \
	  $(MAKE) --no-print-directory clean-test-dbs && \
	  TEST_DATABASE_URL="$(PG_URL)" $(CARGO) test --test api; \
	elif [ -n "$$CI" ]; then \
	  echo "PostgreSQL at $(PG_URL) is unreachable and CI is set: failing" >&2; exit 1; \
	else \
	  echo "!!!!! PostgreSQL at $(PG_URL) is unreachable: PostgreSQL tests SKIPPED (set CI to fail instead)" >&2; \
	fi

# Drops the per-test databases (mt_*) left by earlier runs.
clean-test-dbs:
	@psql "$(PG_URL)" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'mt\_%'" \
	  | while read -r db; do psql "$(PG_URL)" -qc "DROP DATABASE IF EXISTS \"$$db\"" >/dev/null; done

## Benchmarks (release builds); figures go to BENCHMARKS.md.
bench: bench-scheduler bench-registrations bench-meetings

bench-scheduler:
	$(CARGO) run --release -p matinale-scheduler --example bench

# 4000 registrations by 64 concurrent clients for 50 seats in quotas; fails if a seat is oversold.
# PostgreSQL is on loopback here, so without TLS (as over a Unix socket).
PG_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
bench-registrations:
	$(CARGO) run --release --example registration_rush -- sqlite 4000 64
	@if pg_isready -q -d "$(PG_URL)" 2>/dev/null; then \
	  $(CARGO) run --release --example registration_rush -- "$(PG_BENCH_URL)" 4000 64; \
	else echo "!!!!! PostgreSQL at $(PG_URL) is unreachable: registration rush on PostgreSQL SKIPPED" >&2; fi

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

## Rewrite openapi.yaml from the code (a test fails when they differ).
openapi:
	$(CARGO) run -q --bin matinale -- openapi > openapi.yaml
