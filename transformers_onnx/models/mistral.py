"""Mistral: the base decoder, with grouped-query and sliding-window attention."""

from ..config import DecoderOnnxConfig


class MistralOnnxConfig(DecoderOnnxConfig):
    """Mistral as the base decoder config exports it."""

    tensorflow_past_limit = "TFMistralForCausalLM cannot be traced with a past of dynamic length (TensorFlow raises a ValueError)"
