#!/usr/bin/env python
"""Export a checkpoint for one feature with the Python API, then check it with ONNX Runtime.

Usage: python export_with_features_manager.py [FEATURE]
(the CLI equivalent is `python -m transformers.onnx --model=<checkpoint> --feature=<feature> onnx/`)
"""
import sys
from pathlib import Path

import numpy as np
from onnxruntime import InferenceSession
from transformers import AutoTokenizer
from transformers.onnx import FeaturesManager, export, validate_model_outputs

model_id = "distilbert-base-uncased"  # any checkpoint the transformers.onnx package supports
feature = sys.argv[1] if len(sys.argv) > 1 else "sequence-classification"
export_folder = Path("exported")
export_folder.mkdir(exist_ok=True)
onnx_path = export_folder / "model.onnx"

tokenizer = AutoTokenizer.from_pretrained(model_id)
model = FeaturesManager.get_model_from_feature(feature, model_id)
model_kind, model_onnx_config = FeaturesManager.check_supported_model_or_raise(model, feature=feature)
onnx_config = model_onnx_config(model.config)
print(f"model_kind = {model_kind}, opset = {onnx_config.default_onnx_opset}")

onnx_inputs, onnx_outputs = export(
    preprocessor=tokenizer,
    model=model,
    config=onnx_config,
    opset=onnx_config.default_onnx_opset,
    output=onnx_path,
)
validate_model_outputs(onnx_config, tokenizer, model, onnx_path, onnx_outputs, onnx_config.atol_for_validation)

session = InferenceSession(str(onnx_path))
inputs = tokenizer(["hello world", "an onnx test"], padding=True, return_tensors="np")
(logits,) = session.run(onnx_outputs, {name: inputs[name] for name in onnx_inputs})
assert np.isfinite(logits).all()
print("validated", onnx_path)
