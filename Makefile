# Two entry points do all set-up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall whenever pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | sha1sum | cut -c1-12)
DEMO_WS ?= .reviewer-demo

# Offline at run time: nothing may reach a model hub or telemetry endpoint.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install test lint demo demo-tui bench hardening eval snapshots demo-data clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# CPU torch first: any other torch requirement would pull a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	# constraints.txt pins every dependency to the versions the tests (and snapshots) were made with.
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	# Export the bundled MiniLM to ONNX once (~10 s; cached under ~/.cache/reviewer/onnx, checked
	# against torch on every load) so the first review does not pay for it.
	$(BIN)/python -c "from reviewer.store.embeddings import Embedder; print('embedding runtime:', Embedder().describe()['runtime'])"
	@rm -f $(VENV)/.installed-*
	@touch $@

lint: install
	$(BIN)/ruff check reviewer tests evals corpora
	$(BIN)/ruff format --check reviewer tests evals corpora
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

demo: install
	$(BIN)/reviewer --workspace $(DEMO_WS) ingest corpora/demo
	$(BIN)/reviewer --workspace $(DEMO_WS) docs
	$(BIN)/reviewer --workspace $(DEMO_WS) search "Can the AI provider use our prompts and outputs to train its models?" -k 3
	$(BIN)/reviewer --workspace $(DEMO_WS) review --bank iso27001-ai --drafter extractive

demo-tui: demo
	$(BIN)/reviewer --workspace $(DEMO_WS) tui

eval: install
	$(BIN)/reviewer eval --gold evals/gold/demo.jsonl --docs corpora/demo --drafter extractive local \
		--out evals/results/demo.json --report evals/results/demo.md

bench: install
	$(BIN)/python -m evals.bench.run

hardening: install
	$(BIN)/python -m evals.hardening.run

snapshots: install
	$(BIN)/pytest tests/tui --snapshot-update -q

demo-data: install
	$(BIN)/python corpora/demo_src/build_demo.py

clean:
	rm -rf $(DEMO_WS) .pytest_cache .mypy_cache .ruff_cache
