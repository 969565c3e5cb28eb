"""Data2Vec: a RoBERTa-like text model and a BEiT-like vision model."""

from ..config import TOKENS_AND_MASK, TextEncoderOnnxConfig, VisionOnnxConfig


class Data2VecTextOnnxConfig(TextEncoderOnnxConfig):
    """Data2Vec text: no token type ids."""

    text_inputs = TOKENS_AND_MASK


class Data2VecVisionOnnxConfig(VisionOnnxConfig):
    """Data2Vec vision: pixel values."""
