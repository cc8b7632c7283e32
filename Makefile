# Two commands: `make grade` (set up, build, grade examples/) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= build/example-grades
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: grade test test-fast build lint install clean bench test-tools

install: $(STAMP)

# the package itself, editable, with its development, Dask and review extras, every version pinned by the constraints
# (pip and uv too: the zip's setup.sh installs the pip that built it). uv installs the set in seconds where pip
# took a minute and a half; pip does it if uv cannot (an index only pip is configured for, say).
PINNED = -c constraints.txt -c constraints-dask.txt
$(STAMP): pyproject.toml constraints.txt constraints-dask.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv -c constraints.txt
	$(VENV)/bin/uv pip install --python $(PY) --native-tls --compile-bytecode --quiet pip -e ".[dev,dask,review]" $(PINNED) || \
	  $(PY) -m pip install --quiet pip -e ".[dev,dask,review]" $(PINNED)
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

build: $(STAMP)
	$(PY) -m autograder build --otter

grade: build
	$(PY) -m autograder grade examples --out $(OUT) --workers $(WORKERS)

# debootstrap builds the Ubuntu 22.04 root in which tests/test_gradescope_image.py runs the zip's setup.sh;
# Chromium is the browser in which tests/test_review_browser.py drives the review app
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y -q
test-tools:
	@command -v debootstrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { $(APT_INSTALL) debootstrap >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && $(APT_INSTALL) debootstrap >/dev/null 2>&1; }; }; } || \
	  echo "note: debootstrap is not installed: the test of the zip on Ubuntu 22.04 will be skipped"
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { $(APT_INSTALL) chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && $(APT_INSTALL) chromium >/dev/null 2>&1; }; }; } || \
	  echo "note: chromium is not installed: the test of the review app in a browser will be skipped"

# the suite in TEST_WORKERS processes (pytest-xdist)
# two test workers more than cores: a worker's waits (sleeps, time limits, downloads, debootstrap) overlap the others'
# work. Fresh clones of one commit on 2 cores, one after the other: 3 workers 587 s, 4 workers 558 s (all of .ci/run)
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 2 )))
# tests that share a grading batch run in one worker (loadgroup); the long poles first, in tests/conftest.py's order
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

test:
	$(MAKE) --no-print-directory -j2 install test-tools
	$(PY) -m ruff check .
	$(PY) -m pytest -q $(PYTEST_PARALLEL)

# the edit loop: everything but the end-to-end tests marked slow (CI runs those too, in `make test`)
test-fast: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q -m "not slow" $(PYTEST_PARALLEL)

bench: build
	$(PY) benchmarks/bench_grading.py

clean:
	rm -rf build dist
