# Set-up and entry points. Each stack is a virtualenv under .venv/ built from setup.py + constraints.txt.
#   make demo  - export the bundled real MiniLM checkpoint and run it with onnxruntime
#   make test  - the test suite on transformers 5.x (newest) and on transformers 4.57.6, then the TensorFlow
#                tests (and the import and CLI tests) on transformers 4.57.6 with TensorFlow
PYTHON ?= python3
PIP_INSTALL = pip install --quiet --disable-pip-version-check -c constraints.txt

STACK_T5 = .venv/transformers5
STACK_T4 = .venv/transformers457
STACK_TF = .venv/tensorflow

.PHONY: demo test test-transformers5 test-transformers457 test-tensorflow supported-models clean

demo: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python examples/minilm_demo.py demo-output

test: test-transformers5 test-transformers457 test-tensorflow

test-transformers5: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python -m pytest -q

test-transformers457: $(STACK_T4)/.installed
	$(STACK_T4)/bin/python -m pytest -q

test-tensorflow: $(STACK_TF)/.installed
	$(STACK_TF)/bin/python -m pytest -q tests/test_tensorflow.py tests/test_api.py tests/test_cli.py tests/test_supported_models.py

# docs/supported-models.md: each stack writes its columns (the TensorFlow stack also the transformers 4.57 one).
supported-models: $(STACK_T5)/.installed $(STACK_TF)/.installed
	$(STACK_T5)/bin/python tests/supported_models.py
	$(STACK_TF)/bin/python tests/supported_models.py

$(STACK_T5)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(STACK_T5)
	$(STACK_T5)/bin/$(PIP_INSTALL) -e ".[test]" "transformers>=5,<6"
	touch $@

$(STACK_T4)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(STACK_T4)
	$(STACK_T4)/bin/$(PIP_INSTALL) -e ".[test]" "transformers==4.57.6"
	touch $@

$(STACK_TF)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(STACK_TF)
	$(STACK_TF)/bin/$(PIP_INSTALL) -e ".[tf,test]" "transformers==4.57.6"
	touch $@

clean:
	rm -rf .venv demo-output
