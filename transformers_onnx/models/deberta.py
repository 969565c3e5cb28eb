"""DeBERTa: token type ids only when the model has a token type vocabulary; opset 12."""

from ..config import TextEncoderOnnxConfig


class DebertaOnnxConfig(TextEncoderOnnxConfig):
    """DeBERTa: `token_type_ids` only if `type_vocab_size > 0`."""

    @property
    def text_inputs(self) -> tuple[str, ...]:
        names = ("input_ids", "attention_mask", "token_type_ids")
        return names if self._config.type_vocab_size > 0 else names[:2]

    default_onnx_opset = 12
