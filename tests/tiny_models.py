"""The tiny random-weight models of the tests and the known limits of each model type, read from its row
(`transformers_onnx.models`)."""

from typing import Optional

from transformers_onnx.compat import transformers_version
from transformers_onnx.models import MODELS, VOCAB_SIZE, Tiny, canonical_model_type  # noqa: F401 (VOCAB_SIZE)

#: Model type → how to build its tiny checkpoint.
TINY_MODELS: dict[str, Tiny] = {model_type: model.tiny for model_type, model in MODELS.items()}


def known_failure(model_type: str, feature: str, framework: str = "pt") -> Optional[str]:
    """Why (model type, feature) cannot pass from `framework` ("pt" or "tf") on the installed transformers (its
    row's `fails_on_transformers_4` or `tensorflow_failures`), or None."""
    model = MODELS[canonical_model_type(model_type)]
    if framework == "tf":
        return model.tensorflow_failure(feature)
    reasons = model.fails_on_transformers_4 if transformers_version().major < 5 else {}
    return reasons.get(feature, reasons.get("*"))
