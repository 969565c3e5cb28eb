"""Uses the migration cannot rewrite safely: each is reported with its line."""
import importlib

import transformers
from transformers.onnx import *  # noqa: F403

onnx_module = importlib.import_module("transformers.onnx")
features = __import__("transformers.onnx.features")
config_class = transformers.models.bert.BertOnnxConfig
top_level = transformers.GPT2OnnxConfig
requirements = ["transformers[torch,onnx]>=4.30"]
