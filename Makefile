# Set-up and entry points. Each stack is a virtualenv under .venv/ installed from its lock, locks/<stack>.txt: the
# exact versions of everything it holds, so that a CI run of a commit gives the same result next month.
#   make demo    - export the bundled real MiniLM checkpoint and run it with onnxruntime
#   make test    - every stack setup.py admits, at its ends (docs/supported-models.md names the versions):
#                  transformers 5.x newest (whole suite), transformers 4.57.6 (whole suite; of the matrix, every
#                  model type transformers.onnx had and a sample of the newer ones), the oldest admitted
#                  transformers 5.x (drift test + sample matrix), the newest torch release with the newest
#                  transformers (drift test, sample matrix, generation), TensorFlow on transformers 4.57.6 (its
#                  whole matrix and the API tests); then checks that docs/supported-models.md says what these runs
#                  measured
#   make canary  - the newest releases of everything setup.py admits, unlocked: what moved since the locks, and
#                  whether the drift test, the sample matrix and the int8 MiniLM check still pass on them
#   make locks   - resolve every stack anew (the newest releases in its range) and rewrite locks/; commit the new
#                  locks on their own, once `make test` passed on them
PYTHON ?= python3
PIP = pip --disable-pip-version-check
RESULTS = .results
# The oldest transformers 5.x release setup.py admits (keep in step with its install_requires).
TRANSFORMERS_5_OLDEST = 5.23.0

STACKS = transformers5 transformers457 transformers5-oldest torch-newest tensorflow
# What `make locks` resolves for each stack. constraints.txt keeps pip on the CPU build of torch 2.13 on the
# machines' disk; the torch-newest stack goes without it and takes the newest torch release, which PyPI has only as
# a CUDA build (~6 GB with the nvidia packages it links, all needed to import it); it runs on the CPU. Two of the
# clients tests/test_clients.py loads exports with come with one stack each: onnxruntime-genai with the newest
# transformers, optimum-onnx (its ORTModel classes) with transformers 4.57.6, as it requires transformers<4.58.
RESOLVE_transformers5 = -c constraints.txt -e ".[test]" "transformers>=5,<6" onnxruntime-genai
RESOLVE_transformers457 = -c constraints.txt -e ".[test]" "transformers==4.57.6" optimum-onnx
RESOLVE_transformers5-oldest = -c constraints.txt -e ".[test]" "transformers==$(TRANSFORMERS_5_OLDEST)"
RESOLVE_torch-newest = -e ".[test]" "transformers>=5,<6"
RESOLVE_tensorflow = -c constraints.txt -e ".[tf,test]" "transformers==4.57.6"

STACK_T5 = .venv/transformers5
# transformers.js, the Node client tests/test_clients.py loads exports with, exactly as tests/js/package-lock.json
# says. Its install step would fetch CUDA binaries from outside the registries: the CPU ones are in the package.
JS_CLIENT = tests/js/node_modules/.installed
# TensorFlow: its matrix and TF API tests, and the API tests with TensorFlow installed (the CLI's PyTorch tests run
# on the transformers 4.57.6 stack).
TF_TESTS = tests/test_tensorflow.py tests/test_api.py tests/test_supported_models.py
# The sample matrix (one feature per model type and every with-past pair) and the drift test.
SAMPLE_TESTS = tests/test_drift.py tests/test_models.py -m "sample or not matrix"
# What the canary runs on the newest releases: the drift test, the sample matrix, the int8 MiniLM quality bar.
CANARY_TESTS = tests/test_drift.py tests/test_models.py tests/test_optimize.py::test_minilm_quantized_embeddings_stay_close \
	-m "sample or not matrix"

.PHONY: demo test test-transformers5 test-transformers457 test-transformers5-oldest test-torch-newest \
	test-tensorflow check-supported-models supported-models canary locks clean

demo: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python examples/minilm_demo.py demo-output

# Two stacks at a time (the machines have 2 cores; a test run is mostly one busy thread), the longest first so
# that the two lanes end together (measured 2026-12-07, tests only, one PyTorch thread, beside other work:
# transformers 5 ~16 min, 4.57 ~15, TensorFlow ~11, the newest torch ~4, the oldest 5.x ~4; each stack's install
# 1-3 min; `bash .ci/run` on a clean clone 29 min). The Node client is installed first: as a prerequisite of two
# stacks it let make start the short stacks first and the longest last. Each stack installs its virtualenv in its
# own recipe, so that one lane's install runs beside the other lane's tests. --keep-going: a failing stack does not
# stop the others, so one run reports every stack.
# The tests run PyTorch with one thread: two stacks run at once on the two cores, and the spinning of more threads
# costs CPU (measured 2026-12-07, 151 matrix cases beside a running `make test`: 250 s of CPU and 359 s of wall
# time with the default threads, 150 s and 266 s with one; the whole of `bash .ci/run`: over an hour before, 29 min after).
test: export OMP_NUM_THREADS = 1
test-%: export OMP_NUM_THREADS = 1
test:
	$(MAKE) $(JS_CLIENT)
	$(MAKE) --jobs=2 --keep-going --output-sync=target test-transformers5 test-tensorflow test-transformers457 \
		test-torch-newest test-transformers5-oldest
	$(MAKE) check-supported-models

test-transformers5: $(JS_CLIENT)
	$(MAKE) .venv/transformers5/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/transformers5.json .venv/transformers5/bin/python -m pytest -q

test-transformers457: $(JS_CLIENT)
	$(MAKE) .venv/transformers457/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/transformers457.json .venv/transformers457/bin/python -m pytest -q \
		-m "not matrix or legacy or sample"

test-transformers5-oldest:
	$(MAKE) .venv/transformers5-oldest/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/transformers5-oldest.json .venv/transformers5-oldest/bin/python -m pytest -q \
		$(SAMPLE_TESTS)

test-torch-newest:
	$(MAKE) .venv/torch-newest/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/torch-newest.json .venv/torch-newest/bin/python -m pytest -q \
		$(SAMPLE_TESTS) tests/test_generation.py

test-tensorflow:
	$(MAKE) .venv/tensorflow/.installed
	TRANSFORMERS_ONNX_RESULTS=$(RESULTS)/tensorflow.json .venv/tensorflow/bin/python -m pytest -q $(TF_TESTS)

check-supported-models: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python tests/supported_models.py --check $(RESULTS)/*.json

# docs/supported-models.md from the results of the last `make test` (or of the stacks run since).
supported-models: $(STACK_T5)/.installed
	$(STACK_T5)/bin/python tests/supported_models.py $(RESULTS)/*.json

# A stack: exactly its lock (no resolving), then this package itself.
.venv/%/.installed: locks/%.txt setup.py
	rm -rf .venv/$*
	$(PYTHON) -m venv .venv/$*
	.venv/$*/bin/$(PIP) install --quiet --no-deps -r locks/$*.txt
	.venv/$*/bin/$(PIP) install --quiet --no-deps -e .
	.venv/$*/bin/$(PIP) check
	touch $@

$(JS_CLIENT): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null; then \
		cd tests/js && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "no npm: the transformers.js client tests will be skipped"; fi

canary:
	rm -rf .venv/canary
	$(PYTHON) -m venv .venv/canary
	.venv/canary/bin/$(PIP) install --quiet -e ".[test]" "transformers>=5,<6"
	.venv/canary/bin/python tests/canary.py $(CANARY_TESTS)

locks: $(addprefix lock-,$(STACKS))

# Resolve one stack anew into its virtualenv and freeze it into its lock.
lock-%:
	rm -rf .venv/$*
	$(PYTHON) -m venv .venv/$*
	.venv/$*/bin/$(PIP) install --quiet $(RESOLVE_$*)
	{ echo "# make locks: the stack $* as resolved on $$(date -u +%F) by"; echo '#   pip install $(RESOLVE_$*)'; \
		.venv/$*/bin/$(PIP) freeze --all --exclude-editable; } > locks/$*.txt
	touch .venv/$*/.installed

clean:
	rm -rf .venv demo-output $(RESULTS) tests/js/node_modules
