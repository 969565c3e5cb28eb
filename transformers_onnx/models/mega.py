"""MEGA: token ids and attention mask (no token type ids); opset 12 (einsum). Removed in transformers 5."""

from ..config import TOKENS_AND_MASK, TextEncoderOnnxConfig


class MegaOnnxConfig(TextEncoderOnnxConfig):
    """MEGA: no token type ids; needs opset 12."""

    text_inputs = TOKENS_AND_MASK
    default_onnx_opset = 12
