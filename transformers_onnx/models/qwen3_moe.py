"""Qwen3-MoE: the base decoder, with mixture-of-experts feed-forward layers."""

from .. import compat
from ..config import DecoderOnnxConfig, Patch


def _sparse_moe_block(self, hidden_states):
    """transformers 4's `Qwen3MoeSparseMoeBlock.forward`, with its experts gathered (`compat.experts_by_gathering`)."""
    import torch

    batch, sequence, hidden = hidden_states.shape
    tokens = hidden_states.view(-1, hidden)
    router_logits = self.gate(tokens)
    weights, expert_ids = torch.topk(torch.softmax(router_logits, dim=1, dtype=torch.float), self.top_k, dim=-1)
    if self.norm_topk_prob:
        weights = weights / weights.sum(dim=-1, keepdim=True)
    routed = compat.experts_by_gathering(self.experts, tokens, expert_ids, weights.to(tokens.dtype))
    return routed.view(batch, sequence, hidden), router_logits


class Qwen3MoeOnnxConfig(DecoderOnnxConfig):
    """Qwen3-MoE as the base decoder config exports it, its experts chosen at run time: transformers 5's are
    (`compat.traceable_experts`), transformers 4's are gathered while exporting."""

    patches = (
        Patch(
            "transformers.models.qwen3_moe.modeling_qwen3_moe:Qwen3MoeSparseMoeBlock.forward",
            compat.on_transformers_4(_sparse_moe_block),
            wraps_original=True,
        ),
    )
