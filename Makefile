# Set-up and entry points. Each stack is a virtualenv under .venv/ built from setup.py + constraints.txt.
#   make demo  - export the bundled real MiniLM checkpoint and run it with onnxruntime
#   make test  - every stack setup.py admits, at its ends (docs/supported-models.md names the versions):
#                transformers 5.x newest (whole suite), transformers 4.57.6 (whole suite), the oldest admitted
#                transformers 5.x (drift test + sample matrix), the newest torch release with the newest
#                transformers (suite with a sample matrix), TensorFlow on transformers 4.57.6 (its whole matrix,
#                API and CLI tests); then checks that docs/supported-models.md says what these runs measured
PYTHON ?= python3
PIP_INSTALL = pip install --quiet --disable-pip-version-check -c constraints.txt
RESULTS = .results
# The oldest transformers 5.x release setup.py admits (keep in step with its install_requires).
TRANSFORMERS_5_OLDEST = 5.23.0
# The newest torch on the registry. PyPI has only CUDA builds of it (~4 GB with the nvidia packages it links, all
# needed to import it); they run on the CPU.
TORCH_NEWEST ?= $(shell pip index versions torch 2>/dev/null | sed -n 's/^torch (\(.*\))$$/\1/p')

STACK_T5 = .venv/transformers5
STACK_T4 = .venv/transformers457
STACK_T5_OLDEST = .venv/transformers5-oldest
STACK_TORCH_NEWEST = .venv/torch-newest
STACK_TF = .venv/tensorflow
TF_TESTS = tests/test_tensorflow.py tests/test_api.py tests/test_cli.py tests/test_supported_models.py
# The sample matrix (one feature per model type and every with-past pair) and the drift test.
SAMPLE_TESTS = tests/test_drift.py tests/test_models.py -m "sample or not matrix"

.PHONY: demo test test-transformers5 test-transformers457 test-transformers5-oldest test-torch-newest \
	test-tensorflow check-supported-models supported-models clean

demo: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python examples/minilm_demo.py demo-output

# Two stacks at a time (the machines have 2 cores; a test run is mostly one busy thread), the longest first so
# that the two lanes end together (measured: TensorFlow ~30 min, transformers 5 and 4.57 ~19 each, the newest
# torch ~13, the oldest 5.x ~5); each stack's output is printed when it finishes.
test:
	$(MAKE) --jobs=2 --output-sync=target test-tensorflow test-transformers5 test-transformers457 \
		test-torch-newest test-transformers5-oldest
	$(MAKE) check-supported-models

test-transformers5: $(STACK_T5)/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/transformers5.json $(STACK_T5)/bin/python -m pytest -q

test-transformers457: $(STACK_T4)/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/transformers457.json $(STACK_T4)/bin/python -m pytest -q

test-transformers5-oldest: $(STACK_T5_OLDEST)/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/transformers5-oldest.json $(STACK_T5_OLDEST)/bin/python -m pytest -q $(SAMPLE_TESTS)

test-torch-newest: $(STACK_TORCH_NEWEST)/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/torch-newest.json $(STACK_TORCH_NEWEST)/bin/python -m pytest -q -m "sample or not matrix"

test-tensorflow: $(STACK_TF)/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/tensorflow.json $(STACK_TF)/bin/python -m pytest -q $(TF_TESTS)

check-supported-models: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python tests/supported_models.py --check $(RESULTS)/*.json

# docs/supported-models.md from the results of the last `make test` (or of the stacks run since).
supported-models: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python tests/supported_models.py $(RESULTS)/*.json

$(STACK_T5)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(STACK_T5)
	$(STACK_T5)/bin/$(PIP_INSTALL) -e ".[test]" "transformers>=5,<6"
	touch $@

$(STACK_T4)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(STACK_T4)
	$(STACK_T4)/bin/$(PIP_INSTALL) -e ".[test]" "transformers==4.57.6"
	touch $@

$(STACK_T5_OLDEST)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(STACK_T5_OLDEST)
	$(STACK_T5_OLDEST)/bin/$(PIP_INSTALL) -e ".[test]" "transformers==$(TRANSFORMERS_5_OLDEST)"
	touch $@

$(STACK_TORCH_NEWEST)/.installed: setup.py constraints.txt
	@test -n "$(TORCH_NEWEST)" || { echo "cannot read the newest torch release from the registry: set TORCH_NEWEST"; exit 1; }
	$(PYTHON) -m venv $(STACK_TORCH_NEWEST)
	$(STACK_TORCH_NEWEST)/bin/pip install --quiet --disable-pip-version-check -e ".[test]" "transformers>=5,<6" \
		"torch==$(TORCH_NEWEST)"
	touch $@

$(STACK_TF)/.installed: setup.py constraints.txt
	$(PYTHON) -m venv $(STACK_TF)
	$(STACK_TF)/bin/$(PIP_INSTALL) -e ".[tf,test]" "transformers==4.57.6"
	touch $@

clean:
	rm -rf .venv demo-output $(RESULTS)
