"""ESM: token ids and attention mask (no token type ids); rotary tables made at each call while exporting."""

from .. import compat
from ..config import TOKENS_AND_MASK, Patch, TextEncoderOnnxConfig


def _tables_of_this_length(self, x, seq_dimension: int = 2):
    """transformers 4's `RotaryEmbedding._update_cos_sin_tables` without reusing the tables of the last call, so that
    they are traced from the sequence length (a model run at the traced length before would give constants), and
    without `torch.outer`, which the exporter has from opset 12 only."""
    import torch

    self._seq_len_cached = x.shape[seq_dimension]
    positions = torch.arange(x.shape[seq_dimension], device=x.device).type_as(self.inv_freq)
    freqs = positions[:, None] * self.inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos()[None, None, :, :], emb.sin()[None, None, :, :]


class EsmOnnxConfig(TextEncoderOnnxConfig):
    """ESM: no token type ids."""

    text_inputs = TOKENS_AND_MASK

    @property
    def patches(self) -> tuple[Patch, ...]:
        if not compat.esm_caches_rotary_tables():
            return ()
        target = "transformers.models.esm.modeling_esm:RotaryEmbedding._update_cos_sin_tables"
        return (Patch(target, _tables_of_this_length),)
