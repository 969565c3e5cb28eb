"""SwiftFormer: pixel values."""

from ..config import VisionOnnxConfig


class SwiftFormerOnnxConfig(VisionOnnxConfig):
    """SwiftFormer as the base vision config exports it; its TF model cannot be traced with dynamic image sizes."""

    tensorflow_limit = "the TF SwiftFormer reshapes with static image sizes, which tracing with dynamic ones leaves unknown"
