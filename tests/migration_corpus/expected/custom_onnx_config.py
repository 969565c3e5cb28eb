"""A custom OnnxConfig for a model the package did not support, built the way the guide taught."""
from collections import OrderedDict
from pathlib import Path
from typing import Mapping

from transformers import (
    AutoConfig,
    AutoModel,
    AutoTokenizer,
)
from transformers_onnx.models.distilbert import DistilBertOnnxConfig  # the ready-made one, for comparison
from transformers_onnx import OnnxConfig, export, validate_model_outputs
from transformers_onnx.config import PatchingSpec
from transformers_onnx.utils import compute_effective_axis_dimension


class MyEncoderOnnxConfig(OnnxConfig):
    """Token ids and attention mask in, hidden states out."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            [
                ("input_ids", {0: "batch", 1: "sequence"}),
                ("attention_mask", {0: "batch", 1: "sequence"}),
            ]
        )


if __name__ == "__main__":
    checkpoint = "distilbert-base-uncased"
    config = AutoConfig.from_pretrained(checkpoint)
    onnx_config = MyEncoderOnnxConfig(config, patching_specs=[])
    assert list(onnx_config.inputs) == list(DistilBertOnnxConfig(config).inputs)
    assert compute_effective_axis_dimension(-1, fixed_dimension=3) == 3
    assert PatchingSpec is not None
    model = AutoModel.from_pretrained(checkpoint)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    onnx_path = Path("custom.onnx")
    _, onnx_outputs = export(tokenizer, model, onnx_config, onnx_config.default_onnx_opset, onnx_path)
    validate_model_outputs(onnx_config, tokenizer, model, onnx_path, onnx_outputs, onnx_config.atol_for_validation)
    print("validated", onnx_path)
