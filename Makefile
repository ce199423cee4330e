# The course site. `make html` builds it, `make test` tests it; both set up what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
comma  := ,
space  := $(subst ,, )

# Execution flags: `make html TORCH=1`, `make html FLAGS=torch` (comma-separated; -name turns
# off), or BOOK_FLAGS=torch in the environment; all three add up, the environment's first.
TORCH_ON   := $(or $(filter 1 yes true on,$(TORCH)),$(filter torch,$(subst $(comma), ,$(BOOK_FLAGS) $(FLAGS))))
FLAG_LIST  := $(strip $(subst $(comma), ,$(BOOK_FLAGS) $(FLAGS)) $(if $(filter 1 yes true on,$(TORCH)),torch))
REQUEST    := $(subst $(space),$(comma),$(FLAG_LIST))
WORKERS    ?=

.PHONY: html test test-fast serve clean chromium bwrap venv bench check new-session freeze lint import

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check pip==26.0.1

# Each requirements group is installed when its pinned file changed (stamp files track that).
# The generator itself is installed editable (pyproject.toml): `import book` and its command
# `course-site` work from any folder, on Dask workers too.
$(VENV)/.stamp-build: requirements/build.txt pyproject.toml | $(BIN)/python
	$(PIP) install -q -r requirements/build.txt
	$(PIP) install -q --no-deps -e .
	@touch $@
# The course's own packages (requirements/course.txt: what the labs import beyond build.txt)
$(VENV)/.stamp-course: requirements/course.txt $(VENV)/.stamp-build
	@if grep -q '^[^#[:space:]]' requirements/course.txt; then \
	  $(PIP) install -q -r requirements/course.txt; fi
	@touch $@
$(VENV)/.stamp-torch: requirements/torch.txt $(VENV)/.stamp-build
	$(PIP) install -q -r requirements/torch.txt
	@touch $@
$(VENV)/.stamp-cluster: requirements/cluster.txt $(VENV)/.stamp-build
	$(PIP) install -q -r requirements/cluster.txt
	@touch $@
$(VENV)/.stamp-lint: requirements/lint.txt $(VENV)/.stamp-build
	$(PIP) install -q -r requirements/lint.txt
	@touch $@
$(VENV)/.stamp-test: requirements/test.txt $(VENV)/.stamp-lint $(VENV)/.stamp-torch $(VENV)/.stamp-cluster $(VENV)/.stamp-course
	$(PIP) install -q -r requirements/test.txt
	@touch $@

venv: $(VENV)/.stamp-build

# On a Dask cluster: make html SCHEDULER=tcp://host:8786 (installs requirements/cluster.txt)
# As at a moment: make html NOW=2026-12-05T09:00; everything, marked, into _build/instructor/html:
# make html AUDIENCE=instructor (book/release/state.py); a PDF of each lab (Chromium): make html PDF=1
html: $(if $(filter 1 yes true on,$(PDF)),chromium) $(VENV)/.stamp-build $(VENV)/.stamp-course $(if $(TORCH_ON),$(VENV)/.stamp-torch) $(if $(SCHEDULER),$(VENV)/.stamp-cluster)
	BOOK_FLAGS="$(REQUEST)" $(BIN)/python -m book build $(if $(WORKERS),--workers $(WORKERS)) \
	  $(if $(STALE),--stale-recordings $(STALE)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) \
	  $(if $(NOW),--now "$(NOW)") $(if $(AUDIENCE),--audience "$(AUDIENCE)") \
	  $(if $(filter 1 yes true on,$(PDF)),--pdf)

# Record the outputs of flag-gated cells where the flag can run (commit _freeze/ afterwards):
# make freeze TORCH=1 (or FLAGS=name). Builds with the flag off then show the recorded outputs.
freeze: $(VENV)/.stamp-build $(VENV)/.stamp-course $(if $(TORCH_ON),$(VENV)/.stamp-torch)
	BOOK_FLAGS="$(REQUEST)" $(BIN)/python -m book freeze $(if $(WORKERS),--workers $(WORKERS))

# Course checks (templates, front matter, _toc.yml): fast, runs no code. `make html` runs them too.
check: $(VENV)/.stamp-build
	$(BIN)/python -m book check

# A new lab from a template: make new-session WEEK=3 SESSION=1 TITLE="..." [TEMPLATE=workflow]
new-session: $(VENV)/.stamp-build
	$(BIN)/python -m book new-session --week "$(WEEK)" --session "$(SESSION)" \
	  --title "$(TITLE)" $(if $(TEMPLATE),--template "$(TEMPLATE)")

# Bring existing material: make import SRC=lecture.md|notebook.ipynb|doc.qmd|folder|_toc.yml|
# _quarto.yml [WEEK= SESSION=] [TEMPLATE=freeform] [PLAN=1]: prints the plan (weeks, sessions, course
# pages, fragments, files, packages), then writes the labs, lists them in _toc.yml, pins packages
import: $(VENV)/.stamp-build
	$(BIN)/python -m book import "$(SRC)" $(if $(WEEK),--week "$(WEEK)") \
	  $(if $(SESSION),--session "$(SESSION)") $(if $(TEMPLATE),--template "$(TEMPLATE)") \
	  $(if $(PLAN),--plan)

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "make test needs Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

# Labs run confined by bubblewrap where it can (README: "Labs run confined"). make test installs
# it when run as root, so the sandbox's own tests run; without it builds pass, unconfined.
bwrap:
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap \
	    || echo "note: could not install bubblewrap; the sandbox tests are skipped" >&2; \
	  else echo "note: sudo apt-get install bubblewrap to confine labs (and run the sandbox tests)" >&2; fi; }

# Lint, format and types (configured in pyproject.toml); `make test` runs it first.
# Needs neither torch nor Dask (the pre-commit hook runs it too).
lint: $(VENV)/.stamp-lint
	$(BIN)/ruff check book tests bench
	$(BIN)/ruff format --check book tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every tier (unit, build, browser, cluster): the CI command. `make test-fast`: the unit tier only
# (no build, no browser), in about a minute.
test: $(VENV)/.stamp-test chromium bwrap lint
	$(BIN)/python -m pytest tests $(PYTEST_ARGS)

test-fast: $(VENV)/.stamp-test
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

# Preview on http://127.0.0.1:8000: rebuilds when a source changes, open pages reload themselves.
PORT ?= 8000
serve: $(VENV)/.stamp-build $(VENV)/.stamp-course $(if $(TORCH_ON),$(VENV)/.stamp-torch)
	BOOK_FLAGS="$(REQUEST)" $(BIN)/python -m book serve --port $(PORT) \
	  $(if $(NOW),--now "$(NOW)") $(if $(AUDIENCE),--audience "$(AUDIENCE)")

# Speed against stock Jupyter Book on a synthetic course: `make bench LABS=200 RUNS=1` measures
# 20, 100 and 200 labs and plots each measure (_build/bench/bench-growth.svg, .png)
LABS ?= 20
RUNS ?= 3
bench: $(VENV)/.stamp-build $(VENV)/.stamp-cluster
	$(BIN)/python bench/bench.py --labs $(LABS) --runs $(RUNS)

clean:
	rm -rf _build
