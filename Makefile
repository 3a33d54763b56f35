# Two commands for a fresh machine:
#   make play   set up, then play the default match from game_config.json
#   make test   set up, then run every test
# Set-up installs libcap-dev (python-prctl builds against it) when it is missing,
# and creates .venv with Phoenix installed in editable mode.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup play test bench clean

setup: $(STAMP)

$(STAMP): setup.py pyproject.toml
	@bash .ci/system-packages
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

play: setup
	$(PY) src

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build src/*.egg-info
