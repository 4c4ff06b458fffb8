PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app

.PHONY: run test install messages db seed bench bench-smoke clean

BENCHES := $(filter-out bench/bare_app.py bench/_%.py,$(wildcard bench/*.py))

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's own files say so.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Compiled catalogs are not committed: each is built from its .po file, again whenever the .po changes.
PO_FILES := $(wildcard bwadmin/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(VENV)/.installed $(MO_FILES)

# New or changed texts in the code: refresh every catalog, then translate what is new (README, Languages).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o bwadmin/translations/messages.pot .
	$(BIN)/pybabel update -i bwadmin/translations/messages.pot -d bwadmin/translations

db: install
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo --password "$${DEMO_PASSWORD:-demo-password}"
	$(FLASK) questionnaires wording

# The worker's report PDFs need fonts for Khmer and Bangla: installed when missing, as chromium is for the tests.
run: seed
	scripts/ensure-report-fonts
	$(BIN)/python -m bwadmin.runner

test: install
	scripts/ensure-chromium
	scripts/ensure-report-fonts --test
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	for b in $(BENCHES); do $(BIN)/python $$b || exit 1; done

# Each bench at tiny sizes, in seconds: CI runs it so a bench cannot rot.
bench-smoke: install
	for b in $(BENCHES); do echo "== $$b --smoke"; $(BIN)/python $$b --smoke || exit 1; done

clean:
	rm -rf $(VENV) instance *.egg-info $(MO_FILES)
