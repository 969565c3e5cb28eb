"""Export Hugging Face Transformers models to ONNX: the `transformers.onnx` API and CLI, maintained.

    python -m transformers_onnx --model=path/to/checkpoint onnx/

Public names are imported lazily: importing the package imports neither torch, TensorFlow,
onnxruntime nor transformers. Layout and conventions: docs/architecture.md.
"""

import importlib

__version__ = "0.1.0"

_PUBLIC_NAMES = {
    "EXTERNAL_DATA_FORMAT_SIZE_LIMIT": "config",
    "OnnxConfig": "config",
    "OnnxConfigWithPast": "config",
    "OnnxSeq2SeqConfigWithPast": "config",
    "PatchingSpec": "config",
    "export": "convert",
    "validate_model_outputs": "convert",
    "FeaturesManager": "features",
    "ParameterFormat": "utils",
    "compute_serialized_parameters_size": "utils",
}

__all__ = sorted(_PUBLIC_NAMES)


def __getattr__(name: str):
    if name not in _PUBLIC_NAMES:
        raise AttributeError(f"module 'transformers_onnx' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{_PUBLIC_NAMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC_NAMES))
