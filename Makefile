# tlc: common tasks. GNU make; run `make help` for the list.
#
# Nothing here needs ffmpeg on PATH: tlc, and examples/make_media.py through it,
# fall back to the ffmpeg bundled with the imageio-ffmpeg package (see `tlc doctor`).

PYTHON ?= python3
VENV ?= .venv
PY = $(VENV)/bin/python
INSTALLED = $(VENV)/.installed
BENCH_INSTALLED = $(VENV)/.bench-installed

# Only the directories that exist: a fresh clone has no empty ones (bench/ may not be there yet).
RUFF_DIRS = $(wildcard compiler plugins tests bench examples)
MYPY_DIRS = $(wildcard compiler plugins)

export PIP_DISABLE_PIP_VERSION_CHECK = 1

.DEFAULT_GOAL := help
.PHONY: help venv system-deps node-deps media demo check-examples lint test bench clean distclean

help:
	@echo "make venv            create $(VENV) and install tlc (editable) with its test tools"
	@echo "make system-deps     install the fonts captions are drawn in (apt-get, as root; else says what)"
	@echo "make node-deps       npm ci: ffmpeg.wasm cores, @ffmpeg/ffmpeg, playwright-core (package-lock.json)"
	@echo "make media           make the example media in examples/media/ (synthetic, no download)"
	@echo "make demo            render examples/teaser.tl to out/teaser.mp4"
	@echo "make check-examples  tlc check every examples/*.tl"
	@echo "make lint            ruff, mypy and the layers contract (lint-imports)"
	@echo "make test            lint, then the test suite"
	@echo "make bench           run bench/*.py: passes, audio (never part of make test)"
	@echo "make clean           remove what the examples, tests and tools wrote (keeps $(VENV))"
	@echo "make distclean       clean, and remove $(VENV) and *.egg-info"

venv: $(INSTALLED)

# The stamp is touched only after a good install, so a failed install is retried.
$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# The fonts the caption tests draw in (Latin, CJK, Arabic, emoji): tests/test_fonts.py
# skips without them. Installed only where it can be (root and apt-get); otherwise
# this says what to install and goes on.
SYSTEM_FONTS = fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
# Debian's Chromium, which the browser tests drive through playwright-core (no browser download).
SYSTEM_BROWSER = chromium

system-deps:
	@if command -v fc-list >/dev/null 2>&1 && [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
	  && fc-list : family | grep -q 'Noto Sans Arabic' && command -v chromium >/dev/null 2>&1; then \
	  echo "system-deps: fonts and chromium installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_FONTS) $(SYSTEM_BROWSER); } \
	    || echo "system-deps: apt-get failed: the font and browser tests will skip"; \
	else \
	  echo "system-deps: cannot install here; as root: apt-get install $(SYSTEM_FONTS) $(SYSTEM_BROWSER)"; \
	  echo "  (or your system's Noto, Noto CJK and DejaVu fonts); tests/test_fonts.py skips without them"; \
	fi

# The Node side (the wasm engine, the browser module, the Node client's and the browser
# tests) from package-lock.json; the stamp follows the lock file. Without npm this says so
# and goes on: the tests that need it skip with the reason.
NODE_INSTALLED = node_modules/.installed

node-deps: $(NODE_INSTALLED)

$(NODE_INSTALLED): package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "node-deps: npm not found: the wasm and browser tests will skip"; fi

media: $(INSTALLED)
	$(PY) examples/make_media.py

demo: media
	$(VENV)/bin/tlc export examples/teaser.tl -o out/teaser.mp4 -y
	@$(PY) -c 'import av, os, sys; p = sys.argv[1]; c = av.open(p); \
	  s = ", ".join(f"{x.type} {x.codec_context.name}" for x in c.streams); \
	  print(f"wrote {p}: {os.path.getsize(p) / 1e6:.1f} MB, {c.duration / 1e6:.2f} s, {s}")' \
	  out/teaser.mp4

check-examples: media
	@for f in examples/*.tl; do $(VENV)/bin/tlc check "$$f" || exit $$?; done

lint: $(INSTALLED)
	$(VENV)/bin/ruff check $(RUFF_DIRS)
	$(VENV)/bin/mypy $(MYPY_DIRS)
	$(VENV)/bin/lint-imports --no-cache

test: system-deps node-deps lint
	$(VENV)/bin/pytest
	@if command -v node >/dev/null 2>&1; then node --test examples/node/; \
	else echo "test: node not found: skipping the Node client's tests (examples/node/)"; fi

$(BENCH_INSTALLED): $(INSTALLED)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	@touch $@

bench: $(BENCH_INSTALLED) media
	@found=; for f in bench/[!_]*.py; do \
	  [ -e "$$f" ] || continue; found=1; \
	  echo "== $$f"; $(PY) "$$f" || exit $$?; \
	done; [ -n "$$found" ] || echo "bench: no bench/*.py yet"

clean:
	rm -rf out examples/out examples/media build dist .pytest_cache .mypy_cache .ruff_cache \
	  .hypothesis bench/results bench/out
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info node_modules
