"""GPT-2: the base decoder."""

from ..config import DecoderOnnxConfig


class GPT2OnnxConfig(DecoderOnnxConfig):
    """GPT-2: the base decoder config; its TF model stacks each layer's key and value."""

    tensorflow_stacked_past = True
