"""Model types without a row (`--unlisted`): a row made at run time from the family config the model's forward
fits, so that a model type newer than this package exports, and is validated like any other, before its row is
written.

The family is read off the classes transformers' Auto classes map the config to, never from code in a checkpoint:
`input_values` makes an audio encoder, `pixel_values` (without token ids) an image model, token ids a decoder when a
causal-LM class maps the config (its cache a transformers cache), else a text encoder. Encoder-decoders and models
taking several modalities have no family here: they need a row.
"""

import inspect
from typing import Any, Optional

from ..config import TextEncoderOnnxConfig
from . import TASK_AUTO_CLASSES, Model

#: Each family's tasks, the first its base model's; a row gets those an Auto class maps its config for.
AUDIO_TASKS = ("default", "automatic-speech-recognition", "audio-classification", "audio-frame-classification", "audio-xvector")
IMAGE_TASKS = ("default", "image-classification")
DECODER_TASKS = ("default", "causal-lm", "sequence-classification", "token-classification")
TEXT_TASKS = ("default", "masked-lm", "sequence-classification", "token-classification", "question-answering", "multiple-choice")
TOKEN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def model_class_for(model_config: Any, task: str) -> Optional[type]:
    """The PyTorch class the task's Auto class maps this config to, or None."""
    from ..compat import auto_class

    mapping = getattr(auto_class(TASK_AUTO_CLASSES[task]), "_model_mapping", None)
    try:
        return mapping[type(model_config)] if mapping is not None else None
    except (KeyError, ValueError):
        return None


def forward_parameters(model_config: Any, task: str) -> tuple[str, ...]:
    """The parameter names of the forward of the task's class for this config."""
    model_class = model_class_for(model_config, task) or model_class_for(model_config, "default")
    return tuple(inspect.signature(model_class.forward).parameters) if model_class else ()


class UnlistedTextEncoderOnnxConfig(TextEncoderOnnxConfig):
    """A text encoder without a row: the token inputs its forward takes."""

    @property
    def text_inputs(self) -> tuple[str, ...]:
        parameters = forward_parameters(self._config, self.task)
        return tuple(name for name in TOKEN_INPUTS if name in parameters)


def unlisted_row(model_config: Any) -> Model:
    """The row of a model type without one, from the family its forward fits.

    Args:
        model_config: The model's `PretrainedConfig`.

    Returns:
        A `Model` (no `tiny`: it is made at run time, not tested).

    Raises:
        UnsupportedModelError: No family fits (an encoder-decoder, several modalities, or no Auto class maps it).
    """
    from ..errors import UnsupportedModelError

    model_type = model_config.model_type
    parameters = forward_parameters(model_config, "default") or forward_parameters(model_config, "causal-lm")
    if getattr(model_config, "is_encoder_decoder", False):
        config, tasks = None, ()
    elif "input_values" in parameters:
        config, tasks = "AudioOnnxConfig", AUDIO_TASKS
    elif "pixel_values" in parameters and "input_ids" not in parameters:
        config, tasks = "VisionOnnxConfig", IMAGE_TASKS
    elif "input_ids" in parameters and "pixel_values" not in parameters:
        if model_class_for(model_config, "causal-lm"):
            config, tasks = "DecoderOnnxConfig", DECODER_TASKS
        else:
            config, tasks = "unlisted.UnlistedTextEncoderOnnxConfig", TEXT_TASKS
    else:
        config, tasks = None, ()
    features = [task for task in tasks if model_class_for(model_config, task)]
    if config is None or not features:
        takes = ", ".join(name for name in parameters if name not in ("self", "kwargs")) or "no known inputs"
        raise UnsupportedModelError(
            f"model type '{model_type}' has no row and no family config fits it (its forward takes {takes}):"
            " it needs a row in transformers_onnx.models"
        )
    if config == "DecoderOnnxConfig":
        features += [f"{feature}-with-past" for feature in ("default", "causal-lm") if feature in features]
    return Model(model_type, config, tuple(features))
