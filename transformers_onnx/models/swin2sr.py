"""Swin2SR: pixel values (padded to a multiple of the window by its image processor); an upscaled image out."""

from collections import OrderedDict
from collections.abc import Mapping

from .glpn import GLPNOnnxConfig


class Swin2SROnnxConfig(GLPNOnnxConfig):
    """Swin2SR: as GLPN, its base model returns a (batch, channels, height, width) map; `reconstruction` is the
    image `upscale` times higher and wider."""

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task != "image-to-image":
            return super().outputs
        upscale = self._config.upscale
        return OrderedDict(
            {"reconstruction": {0: "batch", 1: "num_channels", 2: f"height * {upscale}", 3: f"width * {upscale}"}}
        )
