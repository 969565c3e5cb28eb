"""Tiny random-weight checkpoints for the registry test: one row per model type.

A row gives the transformers config class, the keyword arguments that make the model tiny, and
optionally a tolerance for the outputs at other shapes. Adding a model = adding its config module,
its registry entry and a row here.
"""

from dataclasses import dataclass, field
from typing import Optional

VOCAB_SIZE = 90  # the size of the test tokenizer's vocabulary (tests/conftest.py)

_BERT_SIZES = dict(
    vocab_size=VOCAB_SIZE,
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=64,
    max_position_embeddings=64,
    pad_token_id=0,
)
_XLM_SIZES = dict(vocab_size=VOCAB_SIZE, emb_dim=32, n_layers=2, n_heads=4, max_position_embeddings=64, pad_index=0)
_IMAGE_SIZES = dict(
    image_size=30, patch_size=10, num_channels=3, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
    intermediate_size=64,
)


@dataclass
class TinyModel:
    """How to build a tiny checkpoint of one model type."""

    config_class: str
    config_kwargs: dict = field(default_factory=dict)
    preprocessor: str = "tokenizer"  # "tokenizer" or "image_processor"
    atol: Optional[float] = None  # tolerance at other shapes (default: the OnnxConfig's atol_for_validation)


TINY_MODELS: dict[str, TinyModel] = {
    "albert": TinyModel("AlbertConfig", dict(_BERT_SIZES, embedding_size=16)),
    "bert": TinyModel("BertConfig", _BERT_SIZES),
    "big-bird": TinyModel("BigBirdConfig", dict(_BERT_SIZES, attention_type="original_full")),
    "camembert": TinyModel("CamembertConfig", _BERT_SIZES),
    "convbert": TinyModel("ConvBertConfig", dict(_BERT_SIZES, embedding_size=32)),
    "data2vec-text": TinyModel("Data2VecTextConfig", _BERT_SIZES),
    "deberta": TinyModel("DebertaConfig", _BERT_SIZES),
    "deberta-v2": TinyModel("DebertaV2Config", _BERT_SIZES),
    "distilbert": TinyModel(
        "DistilBertConfig", dict(vocab_size=VOCAB_SIZE, dim=32, n_layers=2, n_heads=4, hidden_dim=64, pad_token_id=0)
    ),
    "electra": TinyModel("ElectraConfig", dict(_BERT_SIZES, embedding_size=16)),
    "flaubert": TinyModel("FlaubertConfig", _XLM_SIZES),
    "ibert": TinyModel("IBertConfig", _BERT_SIZES),
    "mobilebert": TinyModel(
        "MobileBertConfig",
        dict(_BERT_SIZES, embedding_size=16, intra_bottleneck_size=16, true_hidden_size=16, num_feedforward_networks=2),
    ),
    "rembert": TinyModel("RemBertConfig", dict(_BERT_SIZES, input_embedding_size=16, output_embedding_size=16)),
    "roberta": TinyModel("RobertaConfig", _BERT_SIZES),
    "roformer": TinyModel("RoFormerConfig", dict(_BERT_SIZES, embedding_size=32)),
    "squeezebert": TinyModel("SqueezeBertConfig", dict(_BERT_SIZES, embedding_size=32)),
    "xlm": TinyModel("XLMConfig", _XLM_SIZES),
    "xlm-roberta": TinyModel("XLMRobertaConfig", _BERT_SIZES),
    "gpt2": TinyModel("GPT2Config", dict(vocab_size=VOCAB_SIZE, n_embd=32, n_layer=2, n_head=4, n_positions=64, pad_token_id=0)),
    "vit": TinyModel("ViTConfig", _IMAGE_SIZES, preprocessor="image_processor"),
}
