"""PoolFormer: pixel values, validated at atol 2e-3."""

from ..config import VisionOnnxConfig


class PoolFormerOnnxConfig(VisionOnnxConfig):
    """PoolFormer: a looser tolerance than the vision default."""

    atol_for_validation = 2e-3
