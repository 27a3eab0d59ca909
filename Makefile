# openai-images: make demo (CLI against the offline emulator), make test (everything CI runs).
GO        ?= go
UPSTREAM  ?= ../shared/upstream/openai-openapi.yaml
GOFLAGS_TEST ?= -race

.PHONY: all spec generate check-generated test test-prism test-sdk vet lint fmt demo fuzz bench

all: test

## demo: run the CLI end to end against its built-in offline emulator (writes ./out)
demo:
	GO=$(GO) sh scripts/demo.sh

## spec: rewrite openapi.yaml from the upstream OpenAI spec (UPSTREAM=path to use another file)
spec:
	$(GO) run ./cmd/specsubset -config specsubset.yaml -o openapi.yaml $(UPSTREAM)

## generate: regenerate gen/ from openapi.yaml (+ overlay.yaml, oapi-codegen.yaml)
generate:
	$(GO) generate ./...

## check-generated: fail if openapi.yaml (when the upstream file is present) or gen/ is stale
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp -R openapi.yaml gen "$$tmp"/ && \
	if [ -f "$(UPSTREAM)" ]; then $(MAKE) --no-print-directory spec; \
	else echo "check-generated: $(UPSTREAM) not found; checking gen/ against openapi.yaml only"; fi && \
	$(MAKE) --no-print-directory generate && \
	if ! diff -ru "$$tmp/openapi.yaml" openapi.yaml || ! diff -ru "$$tmp/gen" gen; then \
	  echo "check-generated: openapi.yaml or gen/ is out of date; the files are regenerated now: review and commit them"; exit 1; \
	fi && echo "check-generated: openapi.yaml and gen/ are up to date"

vet:
	$(GO) vet ./...

## lint: formatting and vet
lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './gen/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

fmt:
	gofmt -w $$(find . -name '*.go' -not -path './gen/*')

## test: vet, check-generated and the whole test suite with the race detector
test: vet check-generated
	$(GO) test $(GOFLAGS_TEST) ./...

## test-prism: install the pinned Prism mock server (npm ci) and run the wrapper against it
test-prism:
	npm ci --no-audit --no-fund
	PRISM_REQUIRED=1 $(GO) test $(GOFLAGS_TEST) -count=1 ./tests/prism/...

## test-sdk: the official SDKs against the emulator: npm openai (pinned in package-lock.json)
## against `openai-images serve`, and openai-go (pinned in bench/go.mod) in process
test-sdk:
	npm ci --no-audit --no-fund
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) build -o "$$tmp/openai-images" ./cmd/openai-images && \
	OPENAI_IMAGES_BIN="$$tmp/openai-images" node --test tests/sdk/node/
	cd bench && $(GO) test -count=1 -run '^TestOpenAIGoSDK$$' -v . | grep -v '^=== '

FUZZTIME ?= 60s

## fuzz: run every fuzz target of the module for FUZZTIME (default 60s) each; not part of make test
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

## bench: side-by-side benchmarks (wrapper vs openai-go vs go-openai), printed as markdown tables
bench:
	cd bench && $(GO) run ./cmd/benchtable
