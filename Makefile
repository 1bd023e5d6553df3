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

bench: ## Go benchmarks, then the driver: each figure beside a raw-pgx baseline; writes bench/results.json
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./eventstore/pgstore/ ./domain/scheduling/
	$(GO) run ./bench

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

FUZZTIME ?= 10s
fuzz: ## run every fuzz test for FUZZTIME each (seeds also run in make test)
	@for f in $$(git grep -l '^func Fuzz' -- '*_test.go'); do \
	  pkg=./$$(dirname $$f); \
	  for fn in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | cut -d' ' -f2); do \
	    echo "fuzz $$pkg $$fn"; $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

migrate: build ## apply migrations to CASELEDGER_DATABASE_URL
	./$(BIN) migrate
