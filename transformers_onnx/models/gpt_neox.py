"""GPT-NeoX: the base decoder, with partial rotary embeddings."""

from ..config import DecoderOnnxConfig


class GPTNeoXOnnxConfig(DecoderOnnxConfig):
    """GPT-NeoX as the base decoder config exports it."""

    @property
    def head_dim(self) -> int:
        """GPT-NeoX's attention splits `hidden_size` evenly over its heads, whatever `head_dim` its config holds."""
        return self._config.hidden_size // self.num_attention_heads
