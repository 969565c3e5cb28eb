"""ImageGPT: the color-cluster ids that its image processor makes of an image."""

from ..config import TextEncoderOnnxConfig


class ImageGPTOnnxConfig(TextEncoderOnnxConfig):
    """ImageGPT: `input_ids` only, made by the image processor (one id per pixel)."""

    text_inputs = ("input_ids",)
