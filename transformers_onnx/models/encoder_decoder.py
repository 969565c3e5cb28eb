"""Encoder-decoder: any encoder joined to any decoder with cross-attention (`EncoderDecoderModel`, e.g. BERT2BERT)."""

from ..config import OnnxSeq2SeqConfigWithPast


class EncoderDecoderOnnxConfig(OnnxSeq2SeqConfigWithPast):
    """An `EncoderDecoderModel` exported as one encoder-decoder: its sizes are those of its two sub-configs (read
    through their standard names, `num_hidden_layers`, `num_attention_heads`, `hidden_size`)."""

    @property
    def num_layers(self) -> tuple[int, int]:
        return (self._config.encoder.num_hidden_layers, self._config.decoder.num_hidden_layers)

    @property
    def num_attention_heads(self) -> tuple[int, int]:
        return (self._config.encoder.num_attention_heads, self._config.decoder.num_attention_heads)

    @property
    def head_dim(self) -> int:
        decoder = self._config.decoder
        return getattr(decoder, "head_dim", None) or decoder.hidden_size // decoder.num_attention_heads

    @property
    def hidden_size(self) -> int:
        """The encoder's: the decoder graphs take its states before the model projects them to the decoder's."""
        return self._config.encoder.hidden_size
