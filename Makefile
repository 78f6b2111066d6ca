# Set-up on a fresh machine: `make demo` runs the main job, `make test` the tests.
# Each creates .venv and installs what it needs.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml setup.py c-blosc/*.py c-blosc/*.pxd c-blosc/*.h ext/*.pyx ext/*.pxi ext/*.pxd ext/zarr/*.pxd | cksum | cut -d" " -f1)

.PHONY: install demo test bench bench-quick clean

install: $(STAMP)

$(STAMP):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[test,bench]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: install
	$(PY) -m zarr.demo

test: install
	$(PY) -m pytest tests -q

bench: install
	$(PY) bench/bench_codec.py
	$(PY) bench/bench_codecs.py
	$(PY) bench/bench_array.py
	$(PY) bench/bench_persistent.py
	$(PY) bench/bench_threads.py
	$(PY) bench/bench_blocks.py
	$(PY) bench/bench_cli.py
	$(PY) bench/bench_table.py
	$(PY) bench/bench_chunked.py
	$(PY) bench/bench_delayed.py
	$(PY) bench/bench_xarray.py
	$(PY) bench/bench_peers.py
	$(PY) bench/bench_s3.py

# A smoke check of the comparison with the peers (about 75 s).
bench-quick: install
	$(PY) bench/bench_peers.py --quick

clean:
	rm -rf build *.egg-info zarr/*.so ext/*.c
