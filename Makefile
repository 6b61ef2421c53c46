# otelcol-llmeval: build, run and test the collector distribution.
# Everything this file needs it installs itself (ocb into .tools/).

GO          ?= go
OCB_VERSION := v0.161.0
TOOLS       := $(CURDIR)/.tools/bin
OCB         := $(TOOLS)/builder
GOLANGCI_VERSION := v2.15.0
GOLANGCI    := $(TOOLS)/golangci-lint
BIN         := bin/otelcol-llmeval
RUN_CONFIG  ?= testdata/collector/run.yaml
# Execution counts, not durations: Go 1.26's -fuzztime deadline races its
# workers (golang/go#75804). FUZZTIME_SLOW is for targets that build a whole
# config per input.
FUZZTIME    ?= 30000x
FUZZTIME_SLOW ?= 1500x
GO_SOURCES  := $(shell find . -name '*.go' -not -path './build/*' -not -path './.tools/*') go.mod go.sum

.PHONY: all build run test unit e2e fuzz corpus bench loadtest soak generate lint clean prometheus promtool chromium

all: build

$(OCB):
	GOBIN=$(TOOLS) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

$(GOLANGCI):
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

## build: build bin/otelcol-llmeval with ocb from builder-config.yaml, and bin/llmeval
build: $(BIN) bin/llmeval

bin/llmeval: $(GO_SOURCES)
	$(GO) build -o bin/llmeval ./cmd/llmeval

$(BIN): $(OCB) builder-config.yaml $(GO_SOURCES)
	mkdir -p build
	$(OCB) --config builder-config.yaml
	mkdir -p bin
	cp build/otelcol-llmeval/otelcol-llmeval $(BIN)

## run: build, then run the collector with the default config (the whole loop; see testdata/collector/run.yaml)
run: $(BIN)
	@if [ -n "$$LLMEVAL_JUDGE_ENDPOINT" ] && [ -n "$$LLMEVAL_JUDGE_MODEL" ]; then \
		echo "make run: judging with $$LLMEVAL_JUDGE_MODEL at $$LLMEVAL_JUDGE_ENDPOINT; sampled traces also go to the review queue $${LLMEVAL_REVIEW_QUEUE:-review-queue.jsonl}"; \
	else \
		echo "make run: no judge model (set LLMEVAL_JUDGE_ENDPOINT and LLMEVAL_JUDGE_MODEL to judge): sampled traces go to the review queue $${LLMEVAL_REVIEW_QUEUE:-review-queue.jsonl}"; \
	fi
	$(BIN) --config $(RUN_CONFIG)

## test: formatting and lint, unit tests with the race detector, short fuzz runs, the SRE kit's rule checks, end-to-end tests on the built binary,
## precision and recall on the labelled corpus
test: lint unit fuzz promtool e2e corpus

## lint: gofmt, then golangci-lint (pinned, installed into .tools/)
lint: $(GOLANGCI)
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './build/*' -not -path './.tools/*' -not -path '*/node_modules/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GOLANGCI) run ./...

unit:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzViewMessages$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzInputTail$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzInputResume$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzViewEvents$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzFastGMsgs$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzMember$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzAsciiStop$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzScanDecode$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzClassifyKey$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzSkipValue$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzWalkJSONStrings$$' -fuzztime $(FUZZTIME) ./internal/spanmodel/
	$(GO) test -run '^$$' -fuzz '^FuzzExtractJSON$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzPII$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzScanPIIStops$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzRefusal$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzTokenize$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzSQLScan$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzSQLRiskFilter$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzMaySQLRisk$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzKindOf$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzDestructive$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzShellCommand$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzPlainArgv$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzArgFill$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzPriceLookup$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzCodeStrings$$' -fuzztime $(FUZZTIME_SLOW) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzToolDefinitions$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzGroundingClaims$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzGroundingContext$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzPrefilter$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzLiterals$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzLiteralsScan$$' -fuzztime $(FUZZTIME) ./internal/textmatch/
	$(GO) test -run '^$$' -fuzz '^FuzzNormalizeWords$$' -fuzztime $(FUZZTIME) ./internal/textmatch/
	$(GO) test -run '^$$' -fuzz '^FuzzConfig$$' -fuzztime $(FUZZTIME_SLOW) ./processor/
	$(GO) test -run '^$$' -fuzz '^FuzzNoContentInReasons$$' -fuzztime $(FUZZTIME_SLOW) ./processor/
	$(GO) test -run '^$$' -fuzz '^FuzzPhrases$$' -fuzztime $(FUZZTIME) ./internal/textmatch/
	$(GO) test -run '^$$' -fuzz '^FuzzOwnVoice$$' -fuzztime $(FUZZTIME) ./internal/textmatch/
	$(GO) test -run '^$$' -fuzz '^FuzzStops$$' -fuzztime $(FUZZTIME) ./internal/textmatch/
	$(GO) test -run '^$$' -fuzz '^FuzzDetect$$' -fuzztime $(FUZZTIME) ./processor/internal/signals/
	$(GO) test -run '^$$' -fuzz '^FuzzHistoryMemory$$' -fuzztime $(FUZZTIME) ./processor/internal/signals/
	$(GO) test -run '^$$' -fuzz '^FuzzPhraseLists$$' -fuzztime $(FUZZTIME) ./internal/textmatch/
	$(GO) test -run '^$$' -fuzz '^FuzzShouting$$' -fuzztime $(FUZZTIME) ./processor/internal/signals/
	$(GO) test -run '^$$' -fuzz '^FuzzArgsHash$$' -fuzztime $(FUZZTIME) ./processor/internal/signals/
	$(GO) test -run '^$$' -fuzz '^FuzzPriceMemo$$' -fuzztime $(FUZZTIME) ./evaluators/
	$(GO) test -run '^$$' -fuzz '^FuzzSplitBatch$$' -fuzztime $(FUZZTIME) ./processor/internal/sampling/
	$(GO) test -run '^$$' -fuzz '^FuzzParseAnswer$$' -fuzztime $(FUZZTIME) ./connector/llmjudgeconnector/

# The labelled corpus (testdata/corpus) through the same replay and calibrate
# a user runs: every evaluator's table on dev and test, and a non-zero exit
# when an evaluator is below the thresholds on test.
CORPUS_OUT       := build/corpus
CORPUS_PRECISION ?= 0.95
CORPUS_RECALL    ?= 0.90

## corpus: replay + calibrate over testdata/corpus; fails below the thresholds on the test split
corpus: bin/llmeval
	rm -rf $(CORPUS_OUT)
	$(GO) run ./tools/corpus2otlp --out $(CORPUS_OUT) testdata/corpus/*.jsonl
	for c in $(CORPUS_OUT)/*.yaml; do \
		g=$${c%.yaml}; bin/llmeval replay --config $$c --out $$g.annotated.jsonl $$g.otlp.jsonl > $$g.replay.txt || exit 1; \
	done
	@echo "== dev split (tune here: go run ./tools/corpus2otlp --errors --split dev --out $(CORPUS_OUT))"
	bin/llmeval calibrate --labels $(CORPUS_OUT)/labels.csv --split dev $(CORPUS_OUT)/*.annotated.jsonl
	@echo "== test split (asserted: precision >= $(CORPUS_PRECISION), recall >= $(CORPUS_RECALL))"
	bin/llmeval calibrate --labels $(CORPUS_OUT)/labels.csv --split test \
		--min-precision $(CORPUS_PRECISION) --min-recall $(CORPUS_RECALL) $(CORPUS_OUT)/*.annotated.jsonl

# Node packages for the live-agent e2e test, pinned by package-lock.json.
FIXTUREGEN := tools/fixturegen
$(FIXTUREGEN)/node_modules/.package-lock.json: $(FIXTUREGEN)/package-lock.json
	cd $(FIXTUREGEN) && npm ci --no-audit --no-fund

# Prometheus and promtool (Debian's package) for the SRE kit: its rules are
# checked by promtool and run by a real Prometheus in the e2e tests. Installed
# only when missing; as root, as CI runs. The package's postinst would start a
# system Prometheus on :9090; a policy-rc.d that refuses service starts (kept
# if the machine has one, else added for the install only) prevents that.
PROM_RULES := $(wildcard examples/prometheus/llmeval-*.yaml)
prometheus:
	@if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then exit 0; fi; \
	set -e; \
	if [ "$$(id -u)" != 0 ]; then echo "prometheus/promtool missing: run as root, or apt-get install prometheus" >&2; exit 1; fi; \
	added=; \
	if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; added=1; fi; \
	trap '[ -z "$$added" ] || rm -f /usr/sbin/policy-rc.d' EXIT; \
	apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus </dev/null

# Chromium (Debian's package) for the review page's browser test, driven
# over the DevTools protocol by chromedp. Installed only when missing, as root.
chromium:
	@if command -v chromium >/dev/null 2>&1 || [ -n "$$LLMEVAL_E2E_CHROMIUM" ]; then exit 0; fi; \
	set -e; \
	if [ "$$(id -u)" != 0 ]; then echo "chromium missing: run as root, or apt-get install chromium" >&2; exit 1; fi; \
	apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium </dev/null

## promtool: check every rule file of the SRE kit and the Prometheus config that loads them; run the rules' unit tests
promtool: prometheus
	promtool check rules $(PROM_RULES)
	promtool check config examples/prometheus/prometheus.yml
	promtool test rules $(wildcard examples/prometheus/tests/*.yaml)

e2e: $(BIN) $(FIXTUREGEN)/node_modules/.package-lock.json prometheus chromium
	LLMEVAL_E2E_BINARY=$(CURDIR)/$(BIN) LLMEVAL_E2E_OCB=$(OCB) $(GO) test -count=1 -timeout 30m -v ./e2e/

## loadtest: the built collector under load, three builds and a 10x burst (not part of make test)
loadtest: $(BIN)
	$(GO) run ./tools/loadgen --binary $(BIN)

## soak: the load test with a tiny sampling buffer and a long burst: RSS must stay bounded, nothing lost
soak: $(BIN)
	$(GO) run ./tools/loadgen --binary $(BIN) --max-bytes 16777216 --duration 60s --burst 120s

## bench: per-span benchmarks (ns/span, allocs/span)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./processor/ ./evaluators/

## generate: regenerate each component's internal/metadata from its metadata.yaml (mdatagen runs from its own tools module)
generate:
	cd processor && $(GO) tool -modfile=../internal/tools/go.mod mdatagen metadata.yaml
	sed -i 's/^package processor$$/package llmevalprocessor/' processor/generated_*_test.go
	cd connector/llmjudgeconnector && $(GO) tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml
	cd connector/llmevalresultsconnector && $(GO) tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml

clean:
	rm -rf bin build .tools
