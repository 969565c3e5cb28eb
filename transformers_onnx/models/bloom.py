"""BLOOM: the base decoder, with ALiBi position biases."""

from typing import Any

from ..config import DecoderOnnxConfig


class BloomOnnxConfig(DecoderOnnxConfig):
    """BLOOM as the base decoder config exports it.

    Its cache has the common (batch, heads, sequence, head size) layout since transformers 4.44; the
    legacy config's fused (batch × heads, head size, sequence) key layout is gone.
    """

    atol_for_validation = 1e-3

    def forward_inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """BLOOM takes no `position_ids` (ALiBi counts positions from the mask): the generation graph accepts
        them unused."""
        return {role: value for role, value in inputs.items() if role != "position_ids"}
