"""T5, the base of the T5-like encoder-decoders (mT5, LongT5, UMT5)."""

from ..config import OnnxSeq2SeqConfigWithPast


class T5OnnxConfig(OnnxSeq2SeqConfigWithPast):
    """T5 as the base encoder-decoder config exports it, from opset 13."""

    tensorflow_past_limit = "tf2onnx 1.17 cannot convert the XlaDynamicSlice TF T5 cuts its position bias with, given a past"

    @property
    def default_onnx_opset(self) -> int:
        return 13
