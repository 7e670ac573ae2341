# The two commands of README.md: `make demo` (sets everything up, runs the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The tested PyTorch, on the same pip command line: an unpinned torch pulls a CUDA build of several GB.
TORCH := torch==2.13.0

.PHONY: install demo test bench readme outputs clean

$(BIN)/.installed: setup.py settings.ini
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH) -e ".[dev,experiment]"
	@if $(BIN)/python -m pip list 2>/dev/null | grep -iE '^(nvidia|cuda)-'; then \
		echo "error: CUDA packages were installed into $(VENV); install with $(TORCH)" >&2; exit 1; fi
	touch $@

install: $(BIN)/.installed

demo: install
	@mkdir -p demo_out
	$(BIN)/batchbald example-pool demo_out/pool.npy
	$(BIN)/batchbald acquire demo_out/pool.npy --batch-size 6 --method bald
	$(BIN)/batchbald acquire demo_out/pool.npy --batch-size 6 --method batchbald --seed 0 --json demo_out/batchbald.json
	$(BIN)/batchbald demo

test: install
	$(BIN)/nbdev_test --n_workers 2
	$(BIN)/python -m pytest tests -q -p no:cacheprovider

# Speed and memory figures (a few minutes): prints tables and writes nbs/benchmark.json, which the benchmark page plots.
bench: install
	$(BIN)/batchbald bench --json nbs/benchmark.json

# README.md is generated from nbs/index.ipynb.
readme:
	$(PYTHON) tools/make_readme.py

# Re-run every notebook and keep its outputs (what the docs and README show), then clean the metadata.
outputs: install
	cd nbs && for nb in [0-9]*.ipynb index.ipynb; do \
		PYTHONPATH=.. ../$(BIN)/exec_nb $$nb --dest $$nb --exc_stop || exit 1; done
	$(BIN)/nbdev_clean
	$(PYTHON) tools/make_readme.py

clean:
	rm -rf demo_out _proc _docs docs/_build build dist *.egg-info
