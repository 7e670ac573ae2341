# The two commands of README.md: `make demo` (sets everything up, runs the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
# Absolute, so that the targets that change directory (and an absolute VENV=/tmp/x/venv) find the tools.
BIN := $(abspath $(VENV))/bin
# The tested PyTorch, on the same pip command line: an unpinned torch pulls a CUDA build of several GB.
TORCH := torch==2.13.0
# OpenMP threads spin after each parallel region before they sleep; on a busy machine the spinning takes the cores
# that other processes need. A short spin keeps the speed of two threads on an idle machine and loses little when
# the machine is busy (README, "Threads and busy machines"). The `batchbald` command sets the same default itself.
export GOMP_SPINCOUNT ?= 1000
# nbdev_test runs this many notebooks at once, each with one PyTorch thread: workers x threads = the 2 cores.
TEST_WORKERS ?= 2

.PHONY: install hooks demo test test-cpus check lint bench bench-quick bench-peers experiment readme outputs outputs-slow docs docs-test clean gpu-check

# Fails if any nvidia-*/cuda-* package ended up in the environment.
define check_no_cuda
@if $(BIN)/python -m pip list 2>/dev/null | grep -iE '^(nvidia|cuda)-'; then \
		echo "error: CUDA packages were installed into $(VENV); install with $(TORCH)" >&2; exit 1; fi
endef

$(BIN)/.installed: setup.py settings.ini
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH) -e ".[dev,experiment,mnist,test]"
	$(check_no_cuda)
	touch $@

# The docs tools (Sphinx, myst-nb, furo, offline MathJax, playwright) on top of the dev install.
$(BIN)/.docs-installed: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH) -e ".[dev,experiment,mnist,test,docs]"
	$(check_no_cuda)
	touch $@

install: $(BIN)/.installed

# The main job: active learning on Repeated Digits with BALD and with BatchBALD (seed 0, K = 50, batches of 10, up to
# 200 labels), then the labels each needed to reach 90% and 95% test accuracy, and the curves in demo_out/accuracy.png.
DEMO_LABELS ?= 200

demo: install
	@mkdir -p demo_out
	$(BIN)/batchbald experiment --method bald --seed 0 --max-labels $(DEMO_LABELS) --json demo_out/bald.json
	$(BIN)/batchbald experiment --method batchbald --seed 0 --max-labels $(DEMO_LABELS) --json demo_out/batchbald.json
	$(BIN)/batchbald report demo_out/bald.json demo_out/batchbald.json --thresholds 0.9 0.95 --plot demo_out/accuracy.png

# The notebooks' tests, then pytest even when those failed; the target fails if either did.
test: install
	@nbdev=0; pytest=0; \
	echo "OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers $(TEST_WORKERS)"; \
	OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers $(TEST_WORKERS) || nbdev=$$?; \
	echo "$(BIN)/python -m pytest tests -q -p no:cacheprovider"; \
	$(BIN)/python -m pytest tests -q -p no:cacheprovider || pytest=$$?; \
	if [ $$nbdev -ne 0 ] || [ $$pytest -ne 0 ]; then \
		echo "make test failed: notebook tests exit status $$nbdev, pytest exit status $$pytest" >&2; exit 1; fi

# `make test` again under other CPU code paths, so that a float compared exactly where only rounding keeps it equal
# fails here rather than on another CPU: MKL's conditional numerical reproducibility modes (other GEMM kernels,
# whatever the CPU), ATen's scalar kernels instead of its AVX2/AVX-512 ones, oneDNN's convolutions held to AVX2.
# Each pass first prints what the libraries report (tools/cpu_paths.py), and is a failure if a setting did not take.
# CI runs two passes (about four minutes each on two idle cores): on the AMD CPUs of our machines MKL runs SSE4_2 and
# AVX2 as the same AUTO branch (identical fingerprints), so a third pass would repeat one; `make test-cpus
# CPU_PASSES="sse4_2 avx2 compatible"` runs all three.
CPU_PASSES ?= sse4_2 compatible
CPU_ENV_sse4_2 := MKL_CBWR=SSE4_2 ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41
CPU_ENV_avx2 := MKL_CBWR=AVX2 ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=AVX2
CPU_ENV_compatible := MKL_CBWR=COMPATIBLE

test-cpus: install
	@failed=""; \
	$(foreach pass,$(CPU_PASSES),echo "== CPU pass $(pass): $(CPU_ENV_$(pass))"; start=$$(date +%s); \
	if env $(CPU_ENV_$(pass)) $(BIN)/python tools/cpu_paths.py && \
		env $(CPU_ENV_$(pass)) $(MAKE) --no-print-directory test; then result=passed; \
	else result=FAILED; failed="$$failed $(pass) ($(CPU_ENV_$(pass)));"; fi; \
	echo "== CPU pass $(pass) $$result in $$(( $$(date +%s) - start )) s"; ) \
	if [ -n "$$failed" ]; then echo "make test-cpus: failed passes:$$failed" >&2; exit 1; fi; \
	echo "make test-cpus: every pass passed ($(CPU_PASSES))"

# The quick developer loop: the modules and README.md generated from the notebooks, the notebooks clean, and
# nothing left that git does not know about.
check: install
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean
	$(BIN)/python tools/make_readme.py --check
	@if [ -n "$$(git status --porcelain)" ]; then echo "the tree is not clean:" >&2; git status --porcelain >&2; exit 1; fi
	$(BIN)/python tools/export_cells.py --check

# ruff, then the chapters' export cells: none longer than 35 lines, their median at most 10, each shown by a runnable
# cell before the next export cell (tools/export_cells.py says what it checks). CI runs it; so does `git commit` once
# `make hooks` has installed the hooks.
lint: install
	$(BIN)/ruff check batchbald_redux tests tools docs setup.py
	$(BIN)/python tools/export_cells.py --check

# The git hooks of .pre-commit-config.yaml (clean notebooks, generated files up to date, the export cell check, ruff),
# run by every `git commit` from now on. `$(BIN)/pre-commit run --all-files` runs them by hand.
hooks: install
	$(BIN)/pre-commit install

# Speed and memory figures (three and a half minutes on 2 idle cores): prints tables and writes nbs/benchmark.json, which
# the benchmark page plots.
bench: install
	$(BIN)/batchbald bench --json nbs/benchmark.json

bench-quick: install
	$(BIN)/batchbald bench --quick

# On a machine with CUDA: every acquisition function with device="cuda" against the CPU, the out-of-memory back-off,
# sharded BatchBALD over NCCL with the GPUs there are and the benchmark's headline sizes, in one table (a few
# minutes). Without CUDA it says so and exits 0. It runs the venv's Python if there is one, else $(PYTHON): a GPU
# machine brings its own CUDA build of PyTorch (the venv's is the CPU build).
gpu-check:
	PYTHONPATH=$(CURDIR) $$([ -x $(BIN)/python ] && echo $(BIN)/python || echo $(PYTHON)) tools/gpu_check.py

# Every peer's BatchBALD beside ours on the same pools and M (batchbald-redux 2.0.5, scikit-activeml, baal): times and
# batch values into nbs/peers.json, which the benchmark chapter shows. The peers get their own environment,
# .venv-peers (2.0.5 has our import name), made on first use. Several minutes; not in CI. Every package runs with
# OpenMP's default spin, as a user's script does: the short spin above cost our W1 batch 1.4 times (20, benchmark).
bench-peers: install
	@if ! .venv-peers/bin/python -c "import baal, skactiveml, batchbald_redux" 2>/dev/null; then \
		$(PYTHON) -m venv .venv-peers && \
		.venv-peers/bin/python -m pip install --quiet --disable-pip-version-check $(TORCH) baal==2.1.0 scikit-activeml==1.0.1 && \
		.venv-peers/bin/python -m pip install --quiet --disable-pip-version-check $(TORCH) toma tqdm numpy && \
		.venv-peers/bin/python -m pip install --quiet --disable-pip-version-check --no-deps batchbald-redux==2.0.5; fi
	env -u GOMP_SPINCOUNT $(BIN)/python tools/bench_peers.py --json nbs/peers.json

# The full Repeated Digits experiment (random, BALD, BatchBALD, PowerBALD x 5 seeds; about ten minutes): re-runs
# nbs/18_repeated_digits_experiment.ipynb, slow cell included, and keeps its outputs and its results file.
experiment: install
	$(BIN)/python tools/run_notebooks.py --slow nbs/18_repeated_digits_experiment.ipynb
	$(BIN)/nbdev_clean

# README.md is generated from nbs/index.ipynb.
readme:
	$(PYTHON) tools/make_readme.py

# Re-run every notebook and keep its outputs (what the docs and README show), then clean the metadata. Cells flagged
# `#| slow` (the long experiments) keep their stored outputs; `make outputs-slow` re-runs them too.
outputs: install
	$(BIN)/python tools/run_notebooks.py
	$(BIN)/nbdev_clean
	$(BIN)/python tools/make_readme.py

outputs-slow: install
	$(BIN)/python tools/run_notebooks.py --slow
	$(BIN)/nbdev_clean
	$(BIN)/python tools/make_readme.py

# The documentation site, offline, from the notebooks and their stored outputs (nothing is executed but show_doc):
# nbdev's processing into _proc/, then Sphinx + myst-nb into docs/_build/html/ (open docs/_build/html/index.html).
docs: $(BIN)/.docs-installed
	$(BIN)/python docs/build.py

# Opens every page of the built site in headless Chromium (Debian's `chromium` package; .ci/run installs it).
docs-test: $(BIN)/.docs-installed
	@command -v chromium >/dev/null || { echo "docs-test needs Debian's chromium: apt-get install -y chromium" >&2; exit 1; }
	$(BIN)/python tools/check_docs.py

clean:
	rm -rf demo_out _proc _docs docs/_build build dist *.egg-info
