"""ImageGPT: the color-cluster ids that its image processor makes of an image.

Two things the export does differently from a text encoder:

- the cache stays on: ImageGPT counts its positions from the cache, and some transformers releases (4.57)
  cannot count them without one (`use_cache=False` fails there). The graph returns no cache either way;
- attention is scaled by `torch_float(head_dim ** 0.5)`, which the tracer evaluates on a tensor and eager
  PyTorch on a number, and the two differ in some releases (4.57 truncates the number to an int). The export
  hands it the number, so the graph scales exactly as the model runs (the head size is a constant of the model).
"""

from collections.abc import Mapping
from typing import Any, Callable, Optional

from ..config import Patch, TextEncoderOnnxConfig


def _on_a_number(torch_float: Callable) -> Callable:
    """`torch_float` given the Python number of a traced scalar, as eager PyTorch gives it."""

    def on_a_number(x):
        return torch_float(float(x))

    return on_a_number


class ImageGPTOnnxConfig(TextEncoderOnnxConfig):
    """ImageGPT: `input_ids` only, made by the image processor (one id per pixel); exported with its cache on."""

    text_inputs = ("input_ids",)
    patches = (Patch("transformers.models.imagegpt.modeling_imagegpt:torch_float", _on_a_number, wraps_original=True),)

    @property
    def values_override(self) -> Optional[Mapping[str, Any]]:
        return {"use_cache": True}
