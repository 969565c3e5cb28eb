"""ConvNeXT: pixel values, validated at atol 1e-5."""

from ..config import VisionOnnxConfig


class ConvNextOnnxConfig(VisionOnnxConfig):
    """ConvNeXT: a tighter tolerance than the vision default."""

    atol_for_validation = 1e-5
