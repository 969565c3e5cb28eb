"""GLPN: pixel values; its base model returns a feature map."""

from collections import OrderedDict
from collections.abc import Mapping

from ..config import VisionOnnxConfig


class GLPNOnnxConfig(VisionOnnxConfig):
    """GLPN: the default feature's `last_hidden_state` is a (batch, channels, height, width) map."""

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task != "default":
            return super().outputs
        return OrderedDict({"last_hidden_state": {0: "batch", 2: "feature_height", 3: "feature_width"}})
