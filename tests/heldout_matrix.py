"""The held-out matrix: every (model type, task) optimum-onnx registers (tests/data/optimum_tasks.json, the pairs the
installed transformers has), exported the way a user of today does, `--task <optimum task name>`, from tiny
checkpoints other than the test suite's (weights of another seed), and matched against PyTorch in onnxruntime at
batch sizes and lengths neither the export nor the test suite uses.

    python tests/heldout_matrix.py [--only TYPE ...] [--json FILE]

Prints one line per pair (✓, or ✗ with the CLI's one `error:` line or the mismatch) and the counts per modality.
Not part of `make test` (it repeats the matrix's work at other shapes): run it when the registry grows.
"""

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]

import os  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from conftest import save_tiny_checkpoint  # noqa: E402
from test_models import assert_graph_matches  # noqa: E402
from transformers_onnx import FeaturesManager  # noqa: E402
from transformers_onnx.__main__ import _load_preprocessor, main  # noqa: E402
from transformers_onnx.errors import UnsupportedFeatureError, UnsupportedModelError  # noqa: E402
from transformers_onnx.features import unavailable_model_type  # noqa: E402
from transformers_onnx.models import MODELS, canonical_model_type  # noqa: E402

TASKS_FILE = Path(__file__).parent / "data" / "optimum_tasks.json"
SEED = 7  # the test suite's checkpoints use seed 0
SHAPES = [(1, 7), (3, 13)]  # (batch, sequence or audio steps); the export traces (2, 8), the suite checks (1, 5), (4, 17)
MODALITIES = {
    "audio": ("audio", "speech", "automatic-speech-recognition", "text-to-audio"),
    "vision": ("image", "object", "depth", "mask", "keypoint", "semantic"),
    "time series / RL": ("time-series", "reinforcement"),
}


def modality(model_type: str, task: str) -> str:
    """The modality of a pair, by its task, else by the model's inputs (its row's preprocessor)."""
    for name, words in MODALITIES.items():
        if any(word in task for word in words):
            return name
    row = MODELS.get(canonical_model_type(model_type))
    preprocessor = row.tiny.preprocessor if row else "tokenizer"
    if "feature_extractor" in preprocessor:
        return "audio"
    if "image_processor" in preprocessor:
        return "vision"
    return "text"


def check_pair(model_type: str, task: str, work: Path) -> str:
    """'✓', or '✗ <why>' in one line."""
    reason = unavailable_model_type(model_type)
    if reason:
        return f"— {reason}"
    checkpoint = work / "checkpoint"
    try:
        feature = FeaturesManager.feature_for_task(task, model_type)
    except (UnsupportedFeatureError, UnsupportedModelError):
        feature = None
    if feature and canonical_model_type(model_type) in MODELS:
        save_tiny_checkpoint(checkpoint, canonical_model_type(model_type), feature, seed=SEED)
    else:  # no row: what the CLI says of a checkpoint of this type
        checkpoint.mkdir()
        (checkpoint / "config.json").write_text(json.dumps({"model_type": model_type}))
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main(["--model", str(checkpoint), "--task", task, "-q", str(work / "onnx")])
    if code != 0:
        errors = [line for line in stderr.getvalue().splitlines() if line.startswith("error:")]
        return f"✗ {errors[-1] if errors else 'exit ' + str(code) + ' without an error line'}"
    model_class = FeaturesManager.get_model_class_for_model_type(model_type, feature)
    whole_model = model_class.from_pretrained(checkpoint).eval()
    for file_name, model, onnx_config in FeaturesManager.get_config(model_type, feature)(whole_model.config).graphs(whole_model):
        try:
            preprocessor = _load_preprocessor(onnx_config.preprocessor_kind or "auto", str(checkpoint))
        except Exception:
            if onnx_config.needs_preprocessor:
                raise
            preprocessor = None
        try:
            assert_graph_matches(work / "onnx" / file_name, model, onnx_config, preprocessor, shapes=SHAPES)
        except AssertionError as error:
            return f"✗ {file_name} differs from PyTorch: {' '.join(str(error).split())[:200]}"
    return "✓"


def main_cli(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="model types to check (default: all)")
    parser.add_argument("--json", type=Path, help="also write {pair: outcome} to this file")
    args = parser.parse_args(argv)
    pairs = json.loads(TASKS_FILE.read_text())["tasks"]
    outcomes, counts, start = {}, Counter(), time.monotonic()
    for model_type, tasks in pairs.items():
        if args.only and model_type not in args.only and canonical_model_type(model_type) not in args.only:
            continue
        for task in tasks:
            with tempfile.TemporaryDirectory() as work:
                try:
                    outcome = check_pair(model_type, task, Path(work))
                except Exception as error:  # a crash of the harness or of PyTorch: recorded, not fatal
                    frame = traceback.extract_tb(error.__traceback__)[-1]
                    outcome = f"✗ {type(error).__name__}: {' '.join(str(error).split())[:160]} ({Path(frame.filename).name}:{frame.lineno})"
            outcomes[f"{model_type}:{task}"] = outcome
            kind = modality(model_type, task)
            counts[kind, outcome[0]] += 1
            print(f"{outcome[0]} {model_type}:{task}{outcome[1:] and ' ' + outcome[2:]}", flush=True)
    print(f"\n{len(outcomes)} pairs in {time.monotonic() - start:.0f} s")
    for kind in sorted({kind for kind, _ in counts}):
        total = sum(n for (k, _), n in counts.items() if k == kind)
        print(f"  {kind}: {counts[kind, '✓']}/{total} validate")
    passed = sum(n for (_, mark), n in counts.items() if mark == "✓")
    print(f"  all: {passed}/{len(outcomes)} validate ({100 * passed / max(len(outcomes), 1):.1f} %)")
    if args.json:
        args.json.write_text(json.dumps(outcomes, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main_cli())
