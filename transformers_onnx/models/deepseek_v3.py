"""DeepSeek-V3: the base decoder, with multi-head latent attention (keys and values of different sizes) and
mixture-of-experts layers."""

import dataclasses
from typing import Any

import numpy as np

from .. import compat
from ..config import DecoderOnnxConfig, PastLayout, Patch, array_like


@dataclasses.dataclass(frozen=True)
class KeyValuePastLayout(PastLayout):
    """A decoder's past whose values differ from its keys in heads and size (`num_heads` and `head_dim` are the
    keys')."""

    value_heads: int = 0
    value_dim: int = 0

    def random(self, batch: int, length: int, encoder_length: int = 0, like: Any = None) -> list[tuple]:
        rng = np.random.default_rng(0)
        shapes = ((self.num_heads, self.head_dim), (self.value_heads, self.value_dim))
        return [
            tuple(
                array_like(rng.random((batch, heads, length, size), dtype=np.float32), like) for heads, size in shapes
            )
            for _ in range(self.num_layers)
        ]


def _moe(self, hidden_states):
    """transformers 4's `DeepseekV3MoE.forward`, with its routed experts gathered (`compat.experts_by_gathering`)."""
    expert_ids, weights = self.gate(hidden_states)
    tokens = hidden_states.view(-1, hidden_states.shape[-1])
    routed = compat.experts_by_gathering(self.experts, tokens, expert_ids, weights).type(hidden_states.dtype)
    return routed.view(*hidden_states.shape) + self.shared_experts(hidden_states)


class DeepseekV3OnnxConfig(DecoderOnnxConfig):
    """DeepSeek-V3 as the base decoder config exports it, its experts chosen at run time (transformers 5's by
    `compat.traceable_experts`, transformers 4's gathered while exporting); its cache tensors are shaped as the
    installed transformers caches them (`compat.deepseek_v3_cache_shapes`)."""

    patches = (
        Patch(
            "transformers.models.deepseek_v3.modeling_deepseek_v3:DeepseekV3MoE.forward",
            compat.on_transformers_4(_moe),
            wraps_original=True,
        ),
    )

    @property
    def past_layout(self) -> PastLayout:
        (key_heads, key_size), (value_heads, value_size) = compat.deepseek_v3_cache_shapes(self._config)
        return KeyValuePastLayout(self.num_layers, key_heads, key_size, value_heads=value_heads, value_dim=value_size)
