"""docs/supported-models.md: the registry × stack table, made from the outcomes of the registry-matrix tests.

Every stack of `make test` runs its matrix with `TRANSFORMERS_ONNX_RESULTS=.results/<stack>.json`
(tests/conftest.py records each case: ✓ passed; ✗ a strict xfail, with its reason, or a failure; — skipped,
with the reason). This script turns those files into the table, each column headed by the versions it ran
on, so every ✓ is a case the suite ran and proved on that version; a pair the stack did not run says so.

    python tests/supported_models.py .results/*.json           # write docs/supported-models.{md,json}
    python tests/supported_models.py --check .results/*.json   # fail if the docs differ from these results

The columns are kept in docs/supported-models.json, so that one stack can refresh its own column.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]

from transformers_onnx import FeaturesManager  # noqa: E402

DOCS = Path(__file__).parents[1] / "docs"
TABLE_FILE, DATA_FILE = DOCS / "supported-models.md", DOCS / "supported-models.json"
#: Column order: the stacks of the Makefile (each a results file), then the framework of the column.
STACK_ORDER = ["transformers5", "torch-newest", "transformers5-oldest", "transformers457", "tensorflow"]
NOT_RUN = "· not run by `make test`"


def registry_pairs() -> list[str]:
    """Every registered (model type, feature)."""
    pairs = {
        (model_type, feature)
        for model_type in FeaturesManager._SUPPORTED_MODEL_TYPE
        for feature in FeaturesManager.get_supported_features_for_model_type(model_type)
    }
    return [f"{model_type}:{feature}" for model_type, feature in sorted(pairs)]


def columns_from_results(results_file: Path) -> dict[str, dict]:
    """The columns of one stack's results file: {"<stack>/<framework>": {"title", "cells"}}."""
    stack = results_file.stem
    columns = {}
    for framework, run in json.loads(results_file.read_text()).items():
        versions = run["versions"]
        framework_name = f"TensorFlow {versions['tensorflow']}" if framework == "tf" else f"PyTorch {versions['torch'].split('+')[0]}"
        cells = {pair: run["outcomes"].get(pair, NOT_RUN) for pair in registry_pairs()}
        columns[f"{stack}/{framework}"] = {"title": f"transformers {versions['transformers']} · {framework_name}", "cells": cells}
    return columns


def _order(column_id: str) -> tuple:
    stack = column_id.split("/")[0]
    return (STACK_ORDER.index(stack) if stack in STACK_ORDER else len(STACK_ORDER), column_id)


def render(columns: dict[str, dict]) -> str:
    ordered = sorted(columns, key=_order)
    lines = [
        "# Supported models",
        "",
        "Every (model type, feature) of the registry, per tested stack (the column names the versions): ✓ = the",
        "test suite exported it from a tiny random checkpoint, checked it with `onnx.checker` and matched it",
        "against the framework in onnxruntime at shapes other than the export's (`tests/test_models.py`,",
        "`tests/test_tensorflow.py`) on exactly those versions; ✗ = cannot pass there, with the reason",
        "(details: [supported-models-notes.md](supported-models-notes.md)); — = not available on that stack;",
        f"{NOT_RUN.split(' ', 1)[1]} = that stack runs a sample of the matrix (TensorFlow: the model types",
        "transformers.onnx exported).",
        "Generated from the test results by `python tests/supported_models.py .results/*.json`",
        "(`make supported-models`); `make test` fails when it differs from the results. Do not edit.",
        "",
        "| model type | feature | " + " | ".join(columns[c]["title"] for c in ordered) + " |",
        "| --- | --- | " + " | ".join("---" for _ in ordered) + " |",
    ]
    for pair in registry_pairs():
        cells = [columns[c]["cells"].get(pair, "?") for c in ordered]
        lines.append(f"| {pair.replace(':', ' | ')} | " + " | ".join(cells) + " |")
    passed = [f"{columns[c]['title']}: {sum(cell == '✓' for cell in columns[c]['cells'].values())}" for c in ordered]
    lines += ["", "Passing pairs: " + ", ".join(passed) + "."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare the docs with the results instead of writing")
    parser.add_argument("results", nargs="+", type=Path, help="results files written by the test runs")
    args = parser.parse_args(argv)
    measured = {}
    for results_file in args.results:
        measured.update(columns_from_results(results_file))
    stored = json.loads(DATA_FILE.read_text()) if DATA_FILE.exists() else {}
    if args.check:
        stale = [
            f"{measured[c]['title']}: {pair} is {cell!r} in this run, {stored.get(c, {}).get('cells', {}).get(pair)!r} in the docs"
            for c in measured
            for pair, cell in measured[c]["cells"].items()
            if stored.get(c, {}).get("title") != measured[c]["title"] or stored[c]["cells"].get(pair) != cell
        ]
        for line in stale[:20]:
            print(line, file=sys.stderr)
        if stale or TABLE_FILE.read_text() != render(stored):
            print(f"docs/supported-models.md differs from these results ({len(stale)} cells): run `make supported-models`", file=sys.stderr)
            return 1
        print(f"docs/supported-models.md matches the results of {', '.join(measured[c]['title'] for c in measured)}")
        return 0
    stored.update(measured)
    DATA_FILE.write_text(json.dumps(stored, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    TABLE_FILE.write_text(render(stored))
    print(f"wrote {TABLE_FILE} ({', '.join(stored[c]['title'] for c in sorted(stored, key=_order))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
