"""CvT: pixel values; the default feature returns the last stage's feature map and, where that stage has one, its
class token (`cls_token_value`, which the classifier reads). Its attention multiplies with `einsum`: opset 12."""

from collections import OrderedDict

from ..config import VisionOnnxConfig


class CvtOnnxConfig(VisionOnnxConfig):
    """CvT: `last_hidden_state` (batch, channels, height, width) and `cls_token_value` (batch, 1, channels) by
    default; only their batch axis is dynamic by name."""

    default_onnx_opset = 12

    @property
    def outputs(self):
        if self.task != "default":
            return super().outputs
        names = ("last_hidden_state", "cls_token_value") if self._config.cls_token[-1] else ("last_hidden_state",)
        return OrderedDict((name, {0: "batch"}) for name in names)
