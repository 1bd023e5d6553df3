# Caseledger. `make help` lists the targets.
GO      ?= go
BIN     := bin/caseledger
PKGS    := ./...

.PHONY: help run build test test-race bench lint migrate fuzz

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/caseledger
	$(GO) build -o $(BIN) ./cmd/caseledger

run: build ## serve the demo practice (local PostgreSQL, or a private cluster under .data/)
	./$(BIN) serve --demo

test: ## run every test against a real PostgreSQL (CASELEDGER_TEST_DATABASE_URL)
	$(GO) test -count=1 -timeout 30m $(PKGS)

test-race: ## run every test with the race detector
	$(GO) test -count=1 -race -timeout 45m $(PKGS)

bench: ## measure against raw-pgx baselines; prints a table, writes bench/results.json
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./eventstore/... ./keyring/... ./domain/... 2>&1 | grep -E '^(Benchmark|ok|FAIL)' || true
	$(GO) run ./bench

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

migrate: build ## apply migrations to CASELEDGER_DATABASE_URL
	./$(BIN) migrate
