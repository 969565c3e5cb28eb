"""BLOOM: the base decoder, with ALiBi position biases."""

from ..config import DecoderOnnxConfig


class BloomOnnxConfig(DecoderOnnxConfig):
    """BLOOM as the base decoder config exports it.

    Its cache has the common (batch, heads, sequence, head size) layout since transformers 4.44; the
    legacy config's fused (batch × heads, head size, sequence) key layout is gone.
    """

    @property
    def atol_for_validation(self) -> float:
        return 1e-3
