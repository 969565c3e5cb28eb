"""`--unlisted`: a model type without a row exports through the family config its forward fits, and is validated
in onnxruntime against PyTorch at other shapes like any row; without the flag it is one error line naming it."""

import pytest
import torch
import transformers

from conftest import save_image_processor, save_tokenizer
from test_cli import assert_one_line_error, run_cli
from test_models import assert_graph_matches
from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import _load_preprocessor, main
from transformers_onnx.features import register_unlisted
from transformers_onnx.models import BERT_SIZES, MODELS, Tiny

SIZES = dict(BERT_SIZES, bos_token_id=2, eos_token_id=3)
#: Model types this package has no row for, one per family (in transformers 4.57 and 5.x alike).
UNLISTED = {
    "biogpt": ("BioGptConfig", "decoder", SIZES),
    "ijepa": ("IJepaConfig", "image", dict(SIZES, image_size=30, patch_size=10)),
    "canine": ("CanineConfig", "text", dict(SIZES, downsampling_rate=2, num_hash_buckets=64)),
}


@pytest.fixture
def unlisted_checkpoint(tmp_path):
    """Factory: a saved tiny checkpoint of an unlisted model type, and the row --unlisted makes of it (kept out of
    the registry of the test session)."""
    added = []

    def build(model_type: str, feature: str):
        config_class, family, sizes = UNLISTED[model_type]
        assert model_type not in MODELS, f"{model_type} has a row now: pick another unlisted model type"
        config = getattr(transformers, config_class)(**sizes)
        torch.manual_seed(0)
        model_class = FeaturesManager.get_model_class_for_feature(feature)
        folder = tmp_path / model_type
        model_class.from_config(config).save_pretrained(folder)
        if family == "image":
            save_image_processor(folder, Tiny(config_class, dict(image_size=30)))
        else:
            save_tokenizer(folder)
        added.append(model_type)
        return folder

    yield build
    for model_type in added:
        MODELS.pop(model_type, None)
        FeaturesManager._SUPPORTED_MODEL_TYPE.pop(model_type, None)


@pytest.mark.parametrize(
    "model_type,task,feature",
    [
        ("biogpt", "text-generation-with-past", "causal-lm-with-past"),
        ("biogpt", "feature-extraction", "default"),
        ("ijepa", "image-classification", "image-classification"),
        ("canine", "text-classification", "sequence-classification"),
    ],
)
def test_an_unlisted_model_type_exports_and_matches_pytorch(model_type, task, feature, unlisted_checkpoint, tmp_path, capsys):
    checkpoint = unlisted_checkpoint(model_type, feature)
    assert main(["--model", str(checkpoint), "--task", task, "--unlisted", str(tmp_path / "onnx")]) == 0
    assert f"{model_type} has no row" in capsys.readouterr().err
    model = FeaturesManager.get_model_class_for_model_type(model_type, feature).from_pretrained(checkpoint).eval()
    onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
    assert_graph_matches(tmp_path / "onnx" / "model.onnx", model, onnx_config, _load_preprocessor("auto", str(checkpoint)))


def test_without_the_flag_an_unlisted_model_type_is_one_error_line_naming_the_flag(unlisted_checkpoint, tmp_path):
    checkpoint = unlisted_checkpoint("biogpt", "default")
    code, _, stderr = run_cli("--model", str(checkpoint), str(tmp_path / "onnx"))
    assert_one_line_error(code, stderr, "biogpt", "--unlisted")
    assert not list((tmp_path / "onnx").glob("*"))


def test_a_model_no_family_fits_is_refused_in_one_line(tmp_path):
    """An encoder-decoder has no family config: --unlisted says so instead of exporting half of it."""
    config = transformers.FSMTConfig(
        langs=["en", "de"], src_vocab_size=90, tgt_vocab_size=90, d_model=32, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64,
    )
    with pytest.raises(KeyError, match="no family config fits"):
        register_unlisted(config)
