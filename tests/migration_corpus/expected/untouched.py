"""Nothing here uses the legacy package: the migration leaves this file byte-for-byte alone.

The transformers.onnx package used to live in transformers; this docstring only mentions it.
"""
import my.transformers.onnx
import transformers.onnx_utils
from my.transformers.onnx import export
from transformers import AutoModel, onnx_utils

# transformers.onnx is mentioned in this comment, not run.
NAME = "transformers.onnx"
OTHER = ["-m", "transformers.onnx_utils"]
ST = "sentence-transformers[onnx]"
PIP = "pip install optimum[onnxruntime]"
value = my.transformers.onnx.export(transformers.onnx_utils, AutoModel, onnx_utils, export)
