"""The tiny random-weight models of the tests, read from each model type's row (`transformers_onnx.models`)."""

from typing import Optional

from transformers_onnx.models import MODELS, VOCAB_SIZE, Tiny  # noqa: F401  (VOCAB_SIZE: tests/conftest.py)

#: Model type → how to build its tiny checkpoint.
TINY_MODELS: dict[str, Tiny] = {model_type: model.tiny for model_type, model in MODELS.items()}


def known_failure(model_type: str, feature: str) -> Optional[str]:
    """Why (model type, feature) cannot pass on the installed transformers (docs/supported-models-notes.md), or None."""
    from transformers_onnx.compat import transformers_version

    if transformers_version().major >= 5:
        return None
    reasons = MODELS[model_type].fails_on_transformers_4
    return reasons.get(feature, reasons.get("*"))
