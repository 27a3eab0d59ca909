# openai-images: make demo (CLI against the offline emulator), make test (everything CI runs).
GO        ?= go
# The vendored official OpenAI spec: make spec UPSTREAM=file replaces it.
VENDORED  := upstream/openai-openapi.yaml
UPSTREAM  ?= $(VENDORED)
# CI also checks that the vendored spec is the one published beside the repository.
SHARED_UPSTREAM ?= ../shared/upstream/openai-openapi.yaml
GOFLAGS_TEST ?= -race

.PHONY: all spec spec-diff generate check-generated check-upstream test test-prism test-sdk vet lint fmt demo fuzz bench

all: test

## demo: run the CLI end to end against its built-in offline emulator (writes ./out)
demo:
	@GO=$(GO) sh scripts/demo.sh

## spec: vendor UPSTREAM (default: the vendored copy) as upstream/openai-openapi.yaml,
## re-extract openapi.yaml from it and print the drift report
spec:
	$(GO) run ./cmd/specsubset update $(UPSTREAM)

## spec-diff: print what UPSTREAM changes in the surface the handwritten code uses; writes nothing
spec-diff:
	$(GO) run ./cmd/specsubset drift $(UPSTREAM)

## generate: regenerate gen/ from openapi.yaml, newer.yaml, overlay.yaml and oapi-codegen.yaml;
## on failure gen/ is left as it was. Then check that the handwritten code builds against it:
## an upstream that removed a property the code uses fails here, with the places to change.
generate:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cp -R gen "$$tmp"/ && \
	if ! $(GO) generate . ; then \
	  rm -rf gen && cp -R "$$tmp/gen" gen && \
	  echo "make generate failed: gen/ is unchanged (see the error above)"; exit 1; \
	fi && \
	if ! $(GO) build ./... 2>"$$tmp/build.txt"; then \
	  echo "make generate: gen/ now follows openapi.yaml, but the handwritten code no longer builds against it:"; \
	  grep -v '^#' "$$tmp/build.txt" | sort -u | sed 's/^/  /'; \
	  echo "Upstream removed or changed what these lines use: the drift report of make spec names each change and"; \
	  echo "the place that must learn it. Change the handwritten code (gen/ is kept: it is what openapi.yaml says)."; \
	  exit 1; \
	fi

## check-generated: fail if openapi.yaml (re-extracted from the vendored upstream) or gen/ is stale
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp -R openapi.yaml gen "$$tmp"/ && \
	$(GO) run ./cmd/specsubset extract -o "$$tmp/extracted.yaml" $(VENDORED) && \
	$(GO) run ./cmd/specsubset effective -o "$$tmp/effective.yaml" openapi.yaml && \
	if ! cmp -s "$$tmp/extracted.yaml" openapi.yaml; then \
	  diff -u openapi.yaml "$$tmp/extracted.yaml" | head -40; \
	  echo "check-generated: openapi.yaml is not what $(VENDORED) extracts to: run make spec generate and commit"; exit 1; \
	fi && \
	$(MAKE) --no-print-directory generate && \
	if ! diff -ru "$$tmp/gen" gen; then \
	  echo "check-generated: gen/ was out of date; it is regenerated now: review and commit it"; exit 1; \
	fi && echo "check-generated: openapi.yaml and gen/ are up to date"

## check-upstream: fail if the vendored spec differs from $(SHARED_UPSTREAM) (CI; skipped when absent)
check-upstream:
	@if [ -f "$(SHARED_UPSTREAM)" ]; then \
	  if cmp -s "$(SHARED_UPSTREAM)" $(VENDORED); then echo "check-upstream: $(VENDORED) is $(SHARED_UPSTREAM)"; \
	  else echo "check-upstream: $(VENDORED) differs from $(SHARED_UPSTREAM): run make spec UPSTREAM=$(SHARED_UPSTREAM)"; exit 1; fi; \
	else echo "check-upstream: $(SHARED_UPSTREAM) not found; skipped"; fi

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
## against `openai-images serve`, its AzureOpenAI client against this library's Azure mode
## (docs/azure-wire.md), and openai-go (pinned in bench/go.mod) in process; then the
## wire comparison: the same calls with npm openai and the wrapper, requests compared part by part
test-sdk:
	npm ci --no-audit --no-fund
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) build -o "$$tmp/openai-images" ./cmd/openai-images && \
	OPENAI_IMAGES_BIN="$$tmp/openai-images" node --test tests/sdk/node/
	SDK_REQUIRED=1 $(GO) test -count=1 -run '^TestAzureWireMatchesNodeSDK$$' ./tests/azure/
	cd bench && $(GO) test -count=1 -run '^TestOpenAIGoSDK$$' -v .
	SDK_REQUIRED=1 $(GO) test -count=1 -v ./tests/sdk/wire/

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
