# carport: see README.md. `make demo` and `make test` are the first-run promise.
SHELL := bash
GO ?= go
PERIOD ?= 2026-10
SCALE ?= small
DEMO := demo
BIN := bin/carport

.PHONY: all deps build demo serve-demo test check echarts bench bench-large bench-serve bench-opener opener clean \
	ci-deps ci-test ci-preview monthly monthly-state monthly-fetch monthly-check monthly-build monthly-report monthly-publish

all: build

# Go is all carport needs: report definitions, templates, pages and the
# pinned ECharts script are built into the binary.
deps:
	$(GO) mod download

# -buildvcs=auto: carport version names the git revision built (a machine's
# GOFLAGS may turn stamping off); -trimpath: the binary does not depend on
# where the clone is (and the build cache serves a second clone of the same
# sources)
build: deps
	$(GO) build -buildvcs=auto -trimpath -o $(BIN) ./cmd/carport

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

# --- CI: what .github/workflows/pr.yml and monthly.yml run (README, "Operations").
# The workflows call only these targets and carport itself, so every step can
# be run by hand.

# The system packages the tests need (Debian): Chromium for the browser
# tests, bc for make demo. Installs only what is missing (needs root).
ci-deps:
	@command -v chromium >/dev/null 2>&1 && command -v bc >/dev/null 2>&1 || { \
		export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends chromium bc >/dev/null; }

# The tests as CI runs them (.ci/run, pr.yml): the pinned npm package
# installed only so that the test comparing the committed ECharts copy with
# it runs, and a missing browser or npm package failing the run where a
# developer's machine skips those tests.
ci-test:
	npm ci --no-audit --no-fund
	CARPORT_REQUIRE_BROWSER=1 CARPORT_REQUIRE_NPM=1 $(MAKE) test

# The pull request's steps but the test suite (make test): the definitions
# linted against BASE, the plan (PREVIEW/plan.md, the PR comment), and a
# preview of PREVIEW_MONTHS synthetic months (the last one PREVIEW_PERIOD, so
# trends have points) built with drafts for a dual-fuel supplier and a
# distributor, opened into PREVIEW/sites/<party>/ (synthetic data: the
# plaintext is harmless). PREVIEW_PARTIES are parties of the synthetic
# month (the first is plan's sample party).
BASE ?= origin/main
PREVIEW ?= preview
PREVIEW_PERIOD ?= 2026-10
PREVIEW_MONTHS ?= 2026-08 2026-09 $(PREVIEW_PERIOD)
PREVIEW_SCALE ?= tiny
PREVIEW_PARTIES ?= BRIU DNO10
ci-preview: build
	rm -rf $(PREVIEW)
	./$(BIN) lint --base $(BASE)
	@for m in $(PREVIEW_MONTHS); do \
		./$(BIN) synth --out $(PREVIEW)/extracts/$$m --period $$m --scale $(PREVIEW_SCALE) --seed 1 >/dev/null || exit 1; \
	done
	./$(BIN) plan --base $(BASE) --extracts $(PREVIEW)/extracts/$(PREVIEW_PERIOD) --period $(PREVIEW_PERIOD) \
		--party $(firstword $(PREVIEW_PARTIES)) > $(PREVIEW)/plan.md
	@for m in $(PREVIEW_MONTHS); do \
		./$(BIN) build --extracts $(PREVIEW)/extracts/$$m --period $$m --keys $(PREVIEW)/extracts/$$m/keys \
			--out $(PREVIEW)/out --signing-key $(PREVIEW)/extracts/$$m/identities/dcc-signing.key --include-drafts \
			$(addprefix --party ,$(PREVIEW_PARTIES)) || exit 1; \
	done
	@for p in $(PREVIEW_PARTIES); do \
		./$(BIN) open $(PREVIEW)/out/$(PREVIEW_PERIOD)/$$p.zip.age -i $(PREVIEW)/extracts/$(PREVIEW_PERIOD)/identities/$$p.key \
			--pub $(PREVIEW)/extracts/$(PREVIEW_PERIOD)/keys/dcc-signing.pub --to $(PREVIEW)/sites/$$p || exit 1; \
	done
	@echo "ci-preview: plan in $(PREVIEW)/plan.md, sites in $(PREVIEW)/sites/"

# The monthly job. MONTH is the period to build, YYYY-MM (default: the
# previous calendar month, UTC; the workflow's manual run passes its input).
# STATE is the runner's persistent folder (absolute, outside the checkout):
# extracts fetched into STATE/extracts/MONTH, bundles published in
# STATE/root (the file host's root, or the copy pushed to HOST_DEST), the
# history beside it in STATE/root.history. EXTRACTS_SRC is where the
# warehouse puts each period's folder (a path or an rsync source,
# host:/path), read over ssh with the key in $$CARPORT_EXTRACTS_SSH_KEY when
# set; HOST_DEST, when set, is the host's root as an rsync destination (key
# in $$CARPORT_HOST_SSH_KEY). The DCC's signing key comes from
# $$CARPORT_SIGNING_KEY; KEYS is the parties' keys folder (the repository's
# keys/). The build's log and the run report are copied to
# run-report/ for the workflow's artifact.
override MONTH := $(or $(MONTH),$(shell date -u -d "$$(date -u +%Y-%m-01) -1 month" +%Y-%m))
override STATE := $(or $(STATE),state)
KEYS ?= keys
EXTRACTS_SRC ?=
HOST_DEST ?=
MONTHLY_EXTRACTS = $(STATE)/extracts/$(MONTH)
MONTHLY_OUT = $(STATE)/root
MONTHLY_REPORT = run-report
monthly: monthly-fetch monthly-check monthly-build monthly-report monthly-publish

monthly-state:
	@case "$(STATE)" in /*) ;; *) if [ -n "$$CI" ]; then \
		echo "monthly: STATE must be an absolute folder on the runner, outside the checkout (the repository variable CARPORT_STATE); it is '$(STATE)'" >&2; exit 2; fi;; esac

monthly-fetch: monthly-state
	@test -n "$(EXTRACTS_SRC)" || { echo "monthly-fetch: set EXTRACTS_SRC (where the warehouse puts each period's folder)" >&2; exit 2; }
	mkdir -p $(MONTHLY_EXTRACTS)
	./scripts/rsync-key.sh CARPORT_EXTRACTS_SSH_KEY -a --delete "$(EXTRACTS_SRC)/$(MONTH)/" $(MONTHLY_EXTRACTS)/

monthly-check: monthly-state build
	./$(BIN) lint
	./$(BIN) lint --extracts $(MONTHLY_EXTRACTS) --period $(MONTH)
	./$(BIN) keys check --extracts $(MONTHLY_EXTRACTS) --keys $(KEYS)

monthly-build: monthly-state build
	rm -rf $(MONTHLY_REPORT) && mkdir -p $(MONTHLY_REPORT)
	set -o pipefail; ./$(BIN) build --extracts $(MONTHLY_EXTRACTS) --period $(MONTH) --keys $(KEYS) \
		--out $(MONTHLY_OUT) --history $(MONTHLY_OUT).history 2>&1 | tee $(MONTHLY_REPORT)/build.log

# The DCC run report (run.json, run.html) of the published period.
monthly-report: monthly-state
	mkdir -p $(MONTHLY_REPORT)
	cp -L $(MONTHLY_OUT)/$(MONTH).run.json $(MONTHLY_OUT)/$(MONTH).run.html $(MONTHLY_REPORT)/

# Copies the root to the host when HOST_DEST is set: new version folders
# first, the period symlinks switched last (--delay-updates), old versions
# removed after (--delete-after). The history and the host's database are
# not in the root and are never copied.
monthly-publish: monthly-state
	@if [ -z "$(HOST_DEST)" ]; then echo "monthly-publish: HOST_DEST unset: $(MONTHLY_OUT) is the host's root"; else \
		./scripts/rsync-key.sh CARPORT_HOST_SSH_KEY -a --delay-updates --delete-after --exclude=/.lock $(MONTHLY_OUT)/ "$(HOST_DEST)/"; fi

clean:
	rm -rf bin $(DEMO) $(PREVIEW) $(MONTHLY_REPORT)
