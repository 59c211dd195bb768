# cxkit: `make demo` and `make test` work on a machine with only python3 and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test lint bench sample-data clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# the tests run every KPI on DuckDB and Spark too (tests/test_engines.py): their extras
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,duckdb,spark]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/cxkit nps sample_data/responses.csv --period quarter --by channel --benchmark ecommerce
	$(BIN)/cxkit csat sample_data/responses.csv --by region
	$(BIN)/cxkit ces sample_data/responses.csv
	$(BIN)/cxkit nps sample_data/responses_fr.csv --by canal
	$(BIN)/cxkit tickets sample_data/tickets.csv --sla-first-response 4h --sla-resolution 48h
	$(BIN)/cxkit complaints sample_data/tickets.csv --orders sample_data/orders.csv
	$(BIN)/cxkit orders sample_data/orders.csv
	$(BIN)/cxkit orders sample_data/orders_shopify.csv --by Source
	$(BIN)/cxkit retention sample_data/orders.csv --period quarter --cohorts
	$(BIN)/cxkit clv sample_data/orders.csv --margin 35% --top 5
	$(BIN)/cxkit clv sample_data/cdnow_sample.csv --model bgnbd --calibration-end 1997-09-30 --margin 35% --top 5
	$(BIN)/cxkit nps-revenue sample_data/responses.csv --orders sample_data/orders.csv
	@mkdir -p demo-output
	$(BIN)/cxkit report -c sample_data/cxkit.toml -o demo-output/cx-report.html
	$(BIN)/cxkit report -c sample_data/cxkit.toml
	@echo "The HTML report: demo-output/cx-report.html"

lint: $(STAMP)
	$(BIN)/ruff check .

# bytecode first, as `pip install` writes it (PYTHONDONTWRITEBYTECODE would otherwise make
# every subprocess of the tests compile cxkit again)
test: lint
	$(BIN)/python -m compileall -q cxkit
	$(BIN)/python -m pytest -n auto

# make bench BENCH_ARGS="--only orders --keep": options of bench/run.py (--help lists them)
bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

sample-data:
	$(PYTHON) scripts/make_sample_data.py
	$(PYTHON) scripts/make_ticket_data.py
	$(PYTHON) scripts/make_order_data.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis demo-output
