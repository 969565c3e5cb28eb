"""MPNet: token ids and attention mask (no token type ids); opset 12."""

from ..config import TOKENS_AND_MASK, TextEncoderOnnxConfig


class MPNetOnnxConfig(TextEncoderOnnxConfig):
    """MPNet: no token type ids; its relative position buckets take an int64 `Min`, which onnxruntime runs from
    opset 12."""

    text_inputs = TOKENS_AND_MASK
    default_onnx_opset = 12
