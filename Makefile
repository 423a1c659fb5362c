# carport: see README.md. `make demo` and `make test` are the first-run promise.
SHELL := bash
GO ?= go
PERIOD ?= 2026-10
SCALE ?= small
DEMO := demo
BIN := bin/carport

.PHONY: all deps build demo serve-demo test check echarts bench bench-large bench-serve bench-opener opener clean

all: build

# Go is all carport needs: report definitions, templates, pages and the
# pinned ECharts script are built into the binary.
deps:
	$(GO) mod download

# -buildvcs=auto: carport version names the git revision built (a machine's
# GOFLAGS may turn stamping off)
build: deps
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/carport

# Refresh the committed copy of ECharts (third_party/echarts) from the npm
# package pinned in package.json/package-lock.json; commit the result.
# The only target that needs Node.js.
echarts:
	npm ci --no-audit --no-fund
	./scripts/echarts-bundle.sh
	cp node_modules/echarts/LICENSE node_modules/echarts/NOTICE third_party/echarts/

# The in-browser opener's third-party code (age-encryption, fflate, @noble/*,
# pinned in package-lock.json), bundled by the pinned esbuild into the
# committed internal/opener/assets/vendor.js. Run after changing those
# packages (or the opener's own files), then commit: it also rewrites the
# README's list of the opener's sums. go build itself needs no Node.js.
opener: deps
	./scripts/opener-vendor.sh
	$(GO) test -count=1 -run 'TestReadmeListsSums' ./internal/opener/ -update
	$(GO) test -count=1 ./internal/opener/

# A realistic synthetic month, every party's site rendered and sealed.
demo: build
	@rm -rf $(DEMO)
	@start=$$(date +%s.%N); \
	./$(BIN) synth --out $(DEMO)/extracts --period $(PERIOD) --scale $(SCALE) --seed 1 && \
	./$(BIN) build --extracts $(DEMO)/extracts --period $(PERIOD) --keys $(DEMO)/extracts/keys --out $(DEMO)/out \
		--signing-key $(DEMO)/extracts/identities/dcc-signing.key && \
	end=$$(date +%s.%N); \
	party=$$(ls $(DEMO)/out/$(PERIOD)/ | grep '\.zip\.age$$' | head -1); party=$${party%.zip.age}; \
	echo; echo "make demo: $$(ls $(DEMO)/out/$(PERIOD)/*.zip.age | wc -l) sealed bundles in $(DEMO)/out/$(PERIOD)/ ($$(echo "$$end - $$start" | bc) s)"; \
	echo "open one with:"; \
	echo "  ./$(BIN) open $(DEMO)/out/$(PERIOD)/$$party.zip.age -i $(DEMO)/extracts/identities/$$party.key --to $(DEMO)/open/$$party --pub $(DEMO)/extracts/keys/dcc-signing.pub"; \
	echo "then load $(DEMO)/open/$$party/index.html in a browser."

# The file host on the demo month: one DCC administrator and one user per
# party, their one-time set-password links printed, the period released,
# then carport serve on SERVE_ADDR until Ctrl-C.
SERVE_ADDR ?= 127.0.0.1:8080
serve-demo: build
	@test -d $(DEMO)/out/$(PERIOD) || $(MAKE) --no-print-directory demo
	@BIN=$(BIN) DEMO=$(DEMO) PERIOD=$(PERIOD) ADDR=$(SERVE_ADDR) ./scripts/serve-demo.sh

test:
	$(GO) test -count=1 ./...

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	$(GO) test -race -count=1 ./...

# Throughput and peak memory on the medium month, against encoding/csv read in the same run;
# then the whole build of that month with BENCH_WORKERS (default: the cores) against one worker,
# and of a month with twice the parties. BENCH_SCALE=small for a quick look, BENCH_SCALE=large
# for the large month; the generated months are cached in BENCH_CACHE.
BENCH_SCALE ?= medium
BENCH_CACHE ?= /tmp/carport-bench
BENCH_WORKERS ?= $(shell nproc)
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./internal/extract/ ./internal/bench/
	GO=$(GO) BENCH_SCALE=$(BENCH_SCALE) BENCH_CACHE=$(BENCH_CACHE) BENCH_WORKERS=$(BENCH_WORKERS) ./scripts/bench.sh
	$(MAKE) --no-print-directory bench-serve

# The large month (300 parties, 5 million devices, 100 million events) built end to end with
# BENCH_WORKERS workers: the measured figures behind the README's extrapolation to the GB
# estate (stages, memory, disk for the stage and the output). About 25 GB of extracts in
# BENCH_CACHE; no time budget, only the memory one.
bench-large: deps
	$(GO) build -o $(BIN) ./cmd/carport
	$(GO) run ./scripts/buildbench -carport $(BIN) -scale large -cache $(BENCH_CACHE) -double=false -one=false \
		-workers $(BENCH_WORKERS) -budget 24h

# The file host under load: SERVE_BENCH_N concurrent downloads of a
# SERVE_BENCH_SIZE bundle through carport serve, every sha256 checked, with
# password sign-ins alongside; fails unless the server's peak RSS stays
# under 100 MB. SERVE_BENCH_N=10 SERVE_BENCH_SIZE=20MB for a quick look.
SERVE_BENCH_N ?= 100
SERVE_BENCH_SIZE ?= 200MB
bench-serve:
	$(GO) build -o $(BIN) ./cmd/carport
	$(GO) run ./scripts/servebench -carport $(BIN) -n $(SERVE_BENCH_N) -size $(SERVE_BENCH_SIZE)

# The in-browser opener in headless Chromium: a bundle of OPENER_BENCH_MB
# (50) MB opened through carport serve, failing above 5 s; then, when
# make demo has run, the demo's largest bundle.
OPENER_BENCH_MB ?= 50
bench-opener: deps
	set -o pipefail; CARPORT_OPENER_BUDGET=1 OPENER_BENCH_MB=$(OPENER_BENCH_MB) $(GO) test -count=1 -run '^TestOpenerLargeBundle$$' -v ./cmd/carport/ | grep -E '^(opener:|--- |ok|FAIL)'
	@set -o pipefail; if [ -d $(DEMO)/out/$(PERIOD) ]; then \
		CARPORT_OPENER_DEMO=$(DEMO) CARPORT_OPENER_PERIOD=$(PERIOD) $(GO) test -count=1 -run '^TestOpenerDemoBundle$$' -v ./cmd/carport/ | grep -E '^(opener:|--- |ok|FAIL)'; \
	else echo "bench-opener: no $(DEMO)/out/$(PERIOD): run make demo for the demo's largest bundle"; fi

clean:
	rm -rf bin $(DEMO)
