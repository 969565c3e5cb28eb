"""BEiT: pixel values."""

from ..config import VisionOnnxConfig


class BeitOnnxConfig(VisionOnnxConfig):
    """BEiT as the base vision config exports it."""
