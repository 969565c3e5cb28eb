# Set-up and entry points. Each stack is a virtualenv under .venv/ built from setup.py + constraints.txt.
#   make demo  - export the bundled real MiniLM checkpoint and run it with onnxruntime
#   make test  - the test suite on transformers 5.x (newest) and on transformers 4.57.6
PYTHON ?= python3
PIP_INSTALL = pip install --quiet --disable-pip-version-check -c constraints.txt

STACK_T5 = .venv/transformers5
STACK_T4 = .venv/transformers457

.PHONY: demo test test-transformers5 test-transformers457 clean

demo: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python examples/minilm_demo.py demo-output

test: test-transformers5 test-transformers457

test-transformers5: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python -m pytest -q

test-transformers457: $(STACK_T4)/.installed
	$(STACK_T4)/bin/python -m pytest -q

$(STACK_T5)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(STACK_T5)
	$(STACK_T5)/bin/$(PIP_INSTALL) -e ".[test]" "transformers>=5,<6"
	touch $@

$(STACK_T4)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(STACK_T4)
	$(STACK_T4)/bin/$(PIP_INSTALL) -e ".[test]" "transformers==4.57.6"
	touch $@

clean:
	rm -rf .venv demo-output
