"""SwiftFormer: pixel values."""

from ..config import VisionOnnxConfig


class SwiftFormerOnnxConfig(VisionOnnxConfig):
    """SwiftFormer as the base vision config exports it."""
