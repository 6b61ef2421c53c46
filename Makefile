# otelcol-llmeval: build, run and test the collector distribution.
# Everything this file needs it installs itself (ocb into .tools/).

GO          ?= go
OCB_VERSION := v0.161.0
TOOLS       := $(CURDIR)/.tools/bin
OCB         := $(TOOLS)/builder
BIN         := bin/otelcol-llmeval
RUN_CONFIG  ?= testdata/collector/run.yaml
# Execution counts, not durations: Go 1.26's -fuzztime deadline races its
# workers (golang/go#75804). FUZZTIME_SLOW is for targets that build a whole
# config per input.
FUZZTIME    ?= 30000x
FUZZTIME_SLOW ?= 1500x
GO_SOURCES  := $(shell find . -name '*.go' -not -path './build/*' -not -path './.tools/*') go.mod go.sum

.PHONY: all build run test unit e2e fuzz bench loadtest soak generate lint clean

all: build

$(OCB):
	GOBIN=$(TOOLS) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

## build: build bin/otelcol-llmeval with ocb from builder-config.yaml, and bin/llmeval
build: $(BIN) bin/llmeval

bin/llmeval: $(GO_SOURCES)
	$(GO) build -o bin/llmeval ./cmd/llmeval

$(BIN): $(OCB) builder-config.yaml $(GO_SOURCES)
	mkdir -p build
	$(OCB) --config builder-config.yaml
	mkdir -p bin
	cp build/otelcol-llmeval/otelcol-llmeval $(BIN)

## run: build, then run the collector with the default config
run: $(BIN)
	$(BIN) --config $(RUN_CONFIG)

## test: unit tests with the race detector, short fuzz runs, end-to-end tests on the built binary
test: unit fuzz e2e

unit:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzViewMessages$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzExtractJSON$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzPII$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzSQLScan$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzDestructive$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzToolDefinitions$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzGroundingClaims$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzPrefilter$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzConfig$$' -fuzztime $(FUZZTIME_SLOW) ./processor/
	$(GO) test -run '^$$' -fuzz '^FuzzNoContentInReasons$$' -fuzztime $(FUZZTIME_SLOW) ./processor/
	$(GO) test -run '^$$' -fuzz '^FuzzPhrases$$' -fuzztime $(FUZZTIME) ./internal/textmatch/
	$(GO) test -run '^$$' -fuzz '^FuzzDetect$$' -fuzztime $(FUZZTIME) ./processor/internal/signals/

# Node packages for the live-agent e2e test, pinned by package-lock.json.
FIXTUREGEN := tools/fixturegen
$(FIXTUREGEN)/node_modules/.package-lock.json: $(FIXTUREGEN)/package-lock.json
	cd $(FIXTUREGEN) && npm ci --no-audit --no-fund

e2e: $(BIN) $(FIXTUREGEN)/node_modules/.package-lock.json
	LLMEVAL_E2E_BINARY=$(CURDIR)/$(BIN) $(GO) test -count=1 -v ./e2e/

## loadtest: the built collector under load, three builds and a 10x burst (not part of make test)
loadtest: $(BIN)
	$(GO) run ./tools/loadgen --binary $(BIN)

## soak: the load test with a tiny sampling buffer and a long burst: RSS must stay bounded, nothing lost
soak: $(BIN)
	$(GO) run ./tools/loadgen --binary $(BIN) --max-bytes 16777216 --duration 60s --burst 120s

## bench: per-span benchmarks (ns/span, allocs/span)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./processor/ ./evaluators/

## generate: regenerate internal/metadata from metadata.yaml (mdatagen runs from its own tools module)
generate:
	cd processor && $(GO) tool -modfile=../internal/tools/go.mod mdatagen metadata.yaml
	sed -i 's/^package processor$$/package llmevalprocessor/' processor/generated_*_test.go

clean:
	rm -rf bin build .tools
