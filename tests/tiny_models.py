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
#: The TF multiple-choice heads read `initializer_range`, which the XLM config classes do not have (they have `init_std`).
_XLM_TF = dict(initializer_range=0.02)
_IMAGE_SIZES = dict(
    image_size=30, patch_size=10, num_channels=3, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
    intermediate_size=64,
)
#: DETR-like detectors: a 4-stage ResNet backbone from transformers (not timm); d_model + heads divisible by 8
#: and d_model / 2 by 8 for DETR's segmentation head.
_DETR_SIZES = dict(
    use_timm_backbone=False, use_pretrained_backbone=False, backbone=None,
    backbone_config=dict(
        model_type="resnet", embedding_size=8, hidden_sizes=[8, 8, 16, 16], depths=[1, 1, 1, 1], layer_type="basic",
        out_features=["stage1", "stage2", "stage3", "stage4"],
    ),
    d_model=64, encoder_layers=1, decoder_layers=1, encoder_attention_heads=8, decoder_attention_heads=8,
    encoder_ffn_dim=64, decoder_ffn_dim=64, num_queries=5,
)
_DETR_IMAGES = dict(preprocessor="image_processor", image_processor="DetrImageProcessor", image_size=64)
#: ImageGPT's color palette: the 8 corners of a cube in its [-1, 1] pixel scale.
_IMAGEGPT_CLUSTERS = [[r, g, b] for r in (-0.5, 0.5) for g in (-0.5, 0.5) for b in (-0.5, 0.5)]
#: CLIP-like text towers; bos/eos are ids of the test BPE tokenizer (tests/conftest.py).
_CLIP_TEXT_SIZES = dict(
    vocab_size=VOCAB_SIZE, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
    max_position_embeddings=64, pad_token_id=1, bos_token_id=5, eos_token_id=6,
)
_CLIP_PROCESSOR = dict(
    preprocessor="tokenizer+image_processor", bpe_tokenizer=True, image_processor="CLIPImageProcessor",
    image_processor_kwargs=dict(crop_size={"height": 30, "width": 30}), image_size=30,
)

#: Decoders: token ids below VOCAB_SIZE (bos/eos too: some configs default to ids of their real vocabulary).
_DECODER_SIZES = dict(
    vocab_size=VOCAB_SIZE, hidden_size=32, max_position_embeddings=64, pad_token_id=0, bos_token_id=2, eos_token_id=3
)
_GPT2_SIZES = dict(_DECODER_SIZES, n_embd=32, n_layer=2, n_head=4, n_positions=64)
_MULTI_HEAD_SIZES = dict(_DECODER_SIZES, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, head_dim=8)
_LLAMA_SIZES = dict(_MULTI_HEAD_SIZES, num_key_value_heads=2)  # grouped-query attention
#: Encoder-decoders: fewer decoder heads than encoder heads, so that cache shapes use the decoder's.
_SEQ2SEQ_TOKENS = dict(vocab_size=VOCAB_SIZE, pad_token_id=0, bos_token_id=2, eos_token_id=3, decoder_start_token_id=2)
_BART_SIZES = dict(
    _SEQ2SEQ_TOKENS, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
    decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=64,
)
#: T5: one decoder layer fewer than the encoder, and heads of d_kv=16 (not d_model / heads).
_T5_SIZES = dict(
    _SEQ2SEQ_TOKENS, d_model=32, d_kv=16, d_ff=64, num_layers=2, num_decoder_layers=1, num_heads=4,
    relative_attention_num_buckets=8, relative_attention_max_distance=16,
)


@dataclass
class TinyModel:
    """How to build a tiny checkpoint of one model type."""

    config_class: str
    config_kwargs: dict = field(default_factory=dict)
    preprocessor: str = "tokenizer"  # "tokenizer", "image_processor", "feature_extractor" (audio), joined by "+"
    atol: Optional[float] = None  # tolerance at other shapes (default: the OnnxConfig's atol_for_validation)
    task_preprocessor: dict = field(default_factory=dict)  # task → `preprocessor`, where a task needs another
    image_processor: str = "ViTImageProcessor"  # its class; it makes square images of `image_size` pixels
    image_processor_kwargs: dict = field(default_factory=dict)
    image_size: Optional[int] = None  # default: config_kwargs["image_size"]
    bpe_tokenizer: bool = False  # a byte-level BPE tokenizer (the CLIP and LayoutLMv3 processors refuse BERT's)
    processor: Optional[str] = None  # the processor class that joins the tokenizer and the image processor
    skip_on_transformers_4: dict = field(default_factory=dict)  # feature ("*": every one) → why it cannot pass
    #: What a TensorFlow checkpoint of the type must hold that the tiny PyTorch one need not: values the TF code
    #: reads (or builds its layers with) but the config class does not set.
    tf_config_kwargs: dict = field(default_factory=dict)


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
    "flaubert": TinyModel("FlaubertConfig", _XLM_SIZES, tf_config_kwargs=_XLM_TF),
    "ibert": TinyModel("IBertConfig", _BERT_SIZES),
    "mobilebert": TinyModel(
        "MobileBertConfig",
        dict(_BERT_SIZES, embedding_size=16, intra_bottleneck_size=16, true_hidden_size=16, num_feedforward_networks=2),
    ),
    "rembert": TinyModel("RemBertConfig", dict(_BERT_SIZES, input_embedding_size=16, output_embedding_size=16)),
    "roberta": TinyModel("RobertaConfig", _BERT_SIZES),
    "roformer": TinyModel("RoFormerConfig", dict(_BERT_SIZES, embedding_size=32)),
    "squeezebert": TinyModel("SqueezeBertConfig", dict(_BERT_SIZES, embedding_size=32)),
    "xlm": TinyModel("XLMConfig", _XLM_SIZES, tf_config_kwargs=_XLM_TF),
    "xlm-roberta": TinyModel("XLMRobertaConfig", _BERT_SIZES),
    "gpt2": TinyModel("GPT2Config", dict(vocab_size=VOCAB_SIZE, n_embd=32, n_layer=2, n_head=4, n_positions=64, pad_token_id=0)),
    "gpt-neo": TinyModel(
        "GPTNeoConfig",
        dict(_DECODER_SIZES, num_layers=2, num_heads=4, attention_types=[[["global", "local"], 1]], window_size=16),
    ),
    "gptj": TinyModel("GPTJConfig", dict(_GPT2_SIZES, rotary_dim=4)),
    "codegen": TinyModel("CodeGenConfig", dict(_GPT2_SIZES, rotary_dim=4, n_ctx=64)),
    "bloom": TinyModel("BloomConfig", dict(_DECODER_SIZES, n_layer=2, n_head=4)),
    "llama": TinyModel("LlamaConfig", _LLAMA_SIZES),
    "mistral": TinyModel("MistralConfig", dict(_LLAMA_SIZES, sliding_window=16)),
    "mixtral": TinyModel(
        "MixtralConfig",
        dict(_LLAMA_SIZES, num_local_experts=4, num_experts_per_tok=2),
        skip_on_transformers_4={"*": "transformers 4 loops over the experts chosen at trace time (see docs)"},
    ),
    "qwen2": TinyModel("Qwen2Config", _LLAMA_SIZES),
    "qwen3": TinyModel("Qwen3Config", _LLAMA_SIZES),
    "gemma": TinyModel("GemmaConfig", _LLAMA_SIZES),
    "gemma2": TinyModel("Gemma2Config", dict(_LLAMA_SIZES, query_pre_attn_scalar=8, sliding_window=16)),
    "gemma3-text": TinyModel(
        "Gemma3TextConfig",
        dict(_LLAMA_SIZES, query_pre_attn_scalar=8, sliding_window=16, layer_types=["sliding_attention", "full_attention"]),
    ),
    "phi": TinyModel("PhiConfig", _LLAMA_SIZES),
    "phi3": TinyModel("Phi3Config", _LLAMA_SIZES),
    "olmo": TinyModel(
        "OlmoConfig",
        _LLAMA_SIZES,
        skip_on_transformers_4={"sequence-classification": "OlmoForSequenceClassification is new in transformers 5"},
    ),
    "granite": TinyModel("GraniteConfig", _LLAMA_SIZES),
    "falcon": TinyModel("FalconConfig", dict(_DECODER_SIZES, num_hidden_layers=2, num_attention_heads=4, new_decoder_architecture=True, num_kv_heads=2)),
    "gpt-neox": TinyModel("GPTNeoXConfig", dict(_MULTI_HEAD_SIZES, rotary_pct=0.5)),
    "gpt-bigcode": TinyModel("GPTBigCodeConfig", _GPT2_SIZES),
    "starcoder2": TinyModel("Starcoder2Config", dict(_LLAMA_SIZES, sliding_window=16)),
    "stablelm": TinyModel("StableLmConfig", _LLAMA_SIZES),
    "vit": TinyModel("ViTConfig", _IMAGE_SIZES, preprocessor="image_processor"),
    "beit": TinyModel("BeitConfig", _IMAGE_SIZES, preprocessor="image_processor"),
    "data2vec-vision": TinyModel("Data2VecVisionConfig", _IMAGE_SIZES, preprocessor="image_processor"),
    # AutoModelForImageClassification maps deit, levit and perceiver to several classes; from_config needs
    # `architectures` to pick one.
    "deit": TinyModel(
        "DeiTConfig", dict(_IMAGE_SIZES, architectures=["DeiTForImageClassification"]), preprocessor="image_processor"
    ),
    "dinov2": TinyModel("Dinov2Config", dict(_IMAGE_SIZES, mlp_ratio=2), preprocessor="image_processor"),
    "yolos": TinyModel(
        "YolosConfig", dict(_IMAGE_SIZES, image_size=[30, 30], num_detection_tokens=5), preprocessor="image_processor",
        image_size=30,
    ),
    "convnext": TinyModel(
        "ConvNextConfig", dict(image_size=32, hidden_sizes=[8, 16], depths=[1, 1], num_stages=2),
        preprocessor="image_processor",
    ),
    "levit": TinyModel(
        "LevitConfig",
        dict(
            architectures=["LevitForImageClassification"],
            image_size=64, hidden_sizes=[16, 24, 32], num_attention_heads=[2, 2, 2], depths=[1, 1, 1], key_dim=[8, 8, 8],
        ),
        preprocessor="image_processor",
    ),
    "mobilenet-v1": TinyModel(
        "MobileNetV1Config", dict(image_size=32, depth_multiplier=0.25, min_depth=8), preprocessor="image_processor"
    ),
    "mobilenet-v2": TinyModel(
        "MobileNetV2Config", dict(image_size=32, depth_multiplier=0.25, min_depth=8), preprocessor="image_processor"
    ),
    "mobilevit": TinyModel(
        "MobileViTConfig",
        dict(image_size=32, hidden_sizes=[16, 24, 32], neck_hidden_sizes=[8, 8, 16, 16, 24, 32, 64], num_attention_heads=4),
        preprocessor="image_processor",
    ),
    "mobilevitv2": TinyModel(
        "MobileViTV2Config", dict(image_size=64, width_multiplier=0.25), preprocessor="image_processor"
    ),
    "poolformer": TinyModel(
        "PoolFormerConfig", dict(hidden_sizes=[8, 16, 24, 32], depths=[1, 1, 1, 1]), preprocessor="image_processor",
        image_size=64,
    ),
    "resnet": TinyModel(
        "ResNetConfig", dict(embedding_size=8, hidden_sizes=[8, 16], depths=[1, 1], layer_type="basic"),
        preprocessor="image_processor", image_size=32,
    ),
    "segformer": TinyModel(
        "SegformerConfig",
        dict(
            num_encoder_blocks=2, depths=[1, 1], sr_ratios=[2, 1], hidden_sizes=[16, 32], patch_sizes=[7, 3],
            strides=[4, 2], num_attention_heads=[1, 2], mlp_ratios=[2, 2], decoder_hidden_size=32,
        ),
        preprocessor="image_processor", image_size=32,
    ),
    "swin": TinyModel(
        "SwinConfig", dict(image_size=32, patch_size=2, embed_dim=16, depths=[1, 1], num_heads=[2, 2], window_size=4),
        preprocessor="image_processor",
    ),
    "efficientnet": TinyModel(
        "EfficientNetConfig", dict(image_size=32, width_coefficient=0.1, depth_coefficient=0.1, hidden_dim=128),
        preprocessor="image_processor",
    ),
    "pvt": TinyModel(
        "PvtConfig",
        dict(
            image_size=32, num_encoder_blocks=2, depths=[1, 1], sequence_reduction_ratios=[2, 1], hidden_sizes=[16, 32],
            patch_sizes=[4, 2], strides=[4, 2], num_attention_heads=[1, 2], mlp_ratios=[2, 2],
        ),
        preprocessor="image_processor",
    ),
    "swiftformer": TinyModel(
        "SwiftFormerConfig", dict(image_size=32, depths=[1, 1, 1, 1], embed_dims=[8, 16, 24, 32]),
        preprocessor="image_processor",
    ),
    "detr": TinyModel("DetrConfig", _DETR_SIZES, **_DETR_IMAGES),
    "conditional-detr": TinyModel(
        "ConditionalDetrConfig", _DETR_SIZES, **dict(_DETR_IMAGES, image_processor="ConditionalDetrImageProcessor")
    ),
    "table-transformer": TinyModel("TableTransformerConfig", _DETR_SIZES, **_DETR_IMAGES),
    "imagegpt": TinyModel(
        "ImageGPTConfig", dict(vocab_size=len(_IMAGEGPT_CLUSTERS) + 1, n_positions=64, n_embd=32, n_layer=2, n_head=4),
        preprocessor="image_processor", image_processor="ImageGPTImageProcessor",
        image_processor_kwargs=dict(clusters=_IMAGEGPT_CLUSTERS), image_size=8,
    ),
    "perceiver": TinyModel(
        "PerceiverConfig",
        dict(
            architectures=["PerceiverForImageClassificationLearned"],
            num_latents=8, d_latents=32, d_model=32, num_blocks=1, num_self_attends_per_block=2,
            num_self_attention_heads=4, num_cross_attention_heads=4, vocab_size=VOCAB_SIZE, max_position_embeddings=64,
            image_size=16,
        ),
        task_preprocessor={"image-classification": "image_processor"},
    ),
    "clip": TinyModel(
        "CLIPConfig", dict(text_config=_CLIP_TEXT_SIZES, vision_config=_IMAGE_SIZES, projection_dim=16),
        **dict(_CLIP_PROCESSOR, processor="CLIPProcessor"),
    ),
    "chinese-clip": TinyModel(
        "ChineseCLIPConfig", dict(text_config=_BERT_SIZES, vision_config=_IMAGE_SIZES, projection_dim=16),
        **dict(_CLIP_PROCESSOR, processor="ChineseCLIPProcessor", image_processor="ChineseCLIPImageProcessor",
               bpe_tokenizer=False),
    ),
    "groupvit": TinyModel(
        "GroupViTConfig",
        dict(
            text_config=_CLIP_TEXT_SIZES,
            vision_config=dict(
                _IMAGE_SIZES, depths=[1, 1], num_group_tokens=[4, 0], num_output_groups=[4, 2], num_hidden_layers=2
            ),
            projection_dim=16, projection_intermediate_dim=32,
        ),
        **dict(_CLIP_PROCESSOR, processor="CLIPProcessor"),
    ),
    "owlvit": TinyModel(
        "OwlViTConfig", dict(text_config=_CLIP_TEXT_SIZES, vision_config=_IMAGE_SIZES, projection_dim=16),
        **dict(_CLIP_PROCESSOR, processor="OwlViTProcessor", image_processor="OwlViTImageProcessor"),
    ),
    "layoutlm": TinyModel("LayoutLMConfig", _BERT_SIZES),
    "layoutlmv3": TinyModel(
        "LayoutLMv3Config", dict(_BERT_SIZES, pad_token_id=1, coordinate_size=4, shape_size=8, input_size=32),
        preprocessor="tokenizer+image_processor", processor="LayoutLMv3Processor", bpe_tokenizer=True,
        image_processor="LayoutLMv3ImageProcessor", image_processor_kwargs=dict(apply_ocr=False), image_size=32,
    ),
    # Longformer pads the sequence to a multiple of its window; a window above the traced length (8) records that.
    "longformer": TinyModel("LongformerConfig", dict(_BERT_SIZES, attention_window=16)),
    "ernie": TinyModel("ErnieConfig", dict(_BERT_SIZES, use_task_id=True, task_type_vocab_size=3)),
    "xmod": TinyModel(
        "XmodConfig", dict(_BERT_SIZES, languages=["en_XX"], default_language="en_XX"),
        skip_on_transformers_4={
            "*": "transformers 4.57's X-MOD splits the batch by language with sizes that the exporter freezes"
            " (docs/supported-models-notes.md)"
        },
    ),
    "roberta-prelayernorm": TinyModel("RobertaPreLayerNormConfig", _BERT_SIZES),
    "xlm-roberta-xl": TinyModel("XLMRobertaXLConfig", _BERT_SIZES),
    "mega": TinyModel(
        "MegaConfig",
        dict(
            vocab_size=VOCAB_SIZE, hidden_size=32, num_hidden_layers=2, intermediate_size=64, ema_projection_size=4,
            shared_representation_size=16, max_positions=64, pad_token_id=0,
        ),
        skip_on_transformers_4={
            "*": "torch's TorchScript exporter has no symbolic for aten::fft_rfft, which MEGA's moving average uses"
            " (docs/supported-models-notes.md)"
        },
    ),
    "t5": TinyModel("T5Config", _T5_SIZES),
    "mt5": TinyModel("MT5Config", _T5_SIZES),
    "longt5": TinyModel("LongT5Config", dict(_T5_SIZES, local_radius=2, global_block_size=4)),
    "umt5": TinyModel("UMT5Config", _T5_SIZES),
    # TF builds BART with token ids of 2 (`dummy_inputs`), which the classification head needs to hold an eos token.
    "bart": TinyModel("BartConfig", _BART_SIZES, tf_config_kwargs=dict(eos_token_id=2)),
    "mbart": TinyModel("MBartConfig", _BART_SIZES),
    "marian": TinyModel("MarianConfig", _BART_SIZES),
    "m2m-100": TinyModel("M2M100Config", _BART_SIZES),
    "blenderbot": TinyModel("BlenderbotConfig", _BART_SIZES),
    "blenderbot-small": TinyModel("BlenderbotSmallConfig", _BART_SIZES),
    "bigbird-pegasus": TinyModel("BigBirdPegasusConfig", dict(_BART_SIZES, attention_type="original_full")),
    "plbart": TinyModel("PLBartConfig", _BART_SIZES),
    "whisper": TinyModel(
        "WhisperConfig",
        dict(
            _BART_SIZES, num_mel_bins=16, max_source_positions=50, max_target_positions=64,
            suppress_tokens=None, begin_suppress_tokens=None,
        ),
        preprocessor="feature_extractor",
    ),
    "vision-encoder-decoder": TinyModel(
        "VisionEncoderDecoderConfig",
        dict(
            encoder=dict(_IMAGE_SIZES, model_type="vit"),
            decoder=dict(_GPT2_SIZES, model_type="gpt2", is_decoder=True, add_cross_attention=True),
        ),
        preprocessor="image_processor+tokenizer",
    ),
}


def known_failure(model_type: str, feature: str) -> Optional[str]:
    """Why (model type, feature) cannot pass on the installed transformers (docs/supported-models-notes.md), or None."""
    from transformers_onnx.compat import transformers_version

    if transformers_version().major >= 5:
        return None
    reasons = TINY_MODELS[model_type].skip_on_transformers_4
    return reasons.get(feature, reasons.get("*"))
