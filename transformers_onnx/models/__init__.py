"""Every model type this package exports, each declared once: a `Model` row of `MODELS`.

A row holds all the facts about one model type: its `OnnxConfig` class, its features, the onnxruntime optimizer
family, the transformers classes that are not the features' Auto classes, where transformers 4.57 exported its
config from, the stacks it cannot run on and why, and the tiny random-weight model the tests build of it. The
registry (`FeaturesManager`), `--optimize`, the migrate tool and the alias, the test matrix and
docs/supported-models.md read their tables from here.

A model type that needs no code of its own is one row whose config is a base class of `transformers_onnx.config`
(`"DecoderOnnxConfig"`); one that needs code names its class in a module of this package
(`"bert.BertOnnxConfig"`, the module of the legacy `transformers.models.bert`). Importing this module imports no
model code, no transformers and no torch.
"""

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

#: The features of the model families.
TEXT = (
    "default",
    "masked-lm",
    "sequence-classification",
    "multiple-choice",
    "token-classification",
    "question-answering",
)
TEXT_WITH_CAUSAL_LM = TEXT + ("causal-lm",)
IMAGE = ("default", "image-classification")
DETECTION = ("default", "object-detection")
DECODER = ("default", "default-with-past", "causal-lm", "causal-lm-with-past")
DECODER_WITH_CLASSIFIER = DECODER + ("sequence-classification",)
SEQ2SEQ = ("default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past")
SEQ2SEQ_WITH_CAUSAL_LM = SEQ2SEQ + ("causal-lm", "causal-lm-with-past")
BART_LIKE = SEQ2SEQ_WITH_CAUSAL_LM + ("sequence-classification", "question-answering")


#: Each task (a feature without `-with-past`) → the name of the transformers Auto class that loads its model.
TASK_AUTO_CLASSES = {
    "default": "AutoModel",
    "masked-lm": "AutoModelForMaskedLM",
    "causal-lm": "AutoModelForCausalLM",
    "seq2seq-lm": "AutoModelForSeq2SeqLM",
    "sequence-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "multiple-choice": "AutoModelForMultipleChoice",
    "object-detection": "AutoModelForObjectDetection",
    "question-answering": "AutoModelForQuestionAnswering",
    "image-classification": "AutoModelForImageClassification",
    "image-segmentation": "AutoModelForImageSegmentation",
    "masked-im": "AutoModelForMaskedImageModeling",
    "semantic-segmentation": "AutoModelForSemanticSegmentation",
    "vision2seq-lm": "AutoModelForVision2Seq",
    "speech2seq-lm": "AutoModelForSpeechSeq2Seq",
    # Tasks newer than the legacy package take optimum's names as their feature names.
    "automatic-speech-recognition": "AutoModelForCTC",
    "audio-classification": "AutoModelForAudioClassification",
    "audio-frame-classification": "AutoModelForAudioFrameClassification",
    "audio-xvector": "AutoModelForAudioXVector",
    "depth-estimation": "AutoModelForDepthEstimation",
    "image-to-image": "AutoModelForImageToImage",
    "mask-generation": "AutoModelForMaskGeneration",
    "keypoint-detection": "AutoModelForKeypointDetection",
    "zero-shot-image-classification": "AutoModelForZeroShotImageClassification",
    "zero-shot-object-detection": "AutoModelForZeroShotObjectDetection",
    "text-to-audio": "AutoModelForTextToWaveform",
    "time-series-forecasting": "AutoModelForTimeSeriesPrediction",
    "reinforcement-learning": "AutoModel",
}

@dataclass(frozen=True)
class Tiny:
    """How the tests build a tiny random-weight checkpoint of a model type (tests/conftest.py)."""

    config_class: str  # the transformers config class
    config_kwargs: Mapping[str, Any] = field(default_factory=dict)  # what makes the model tiny
    preprocessor: str = "tokenizer"  # "tokenizer", "image_processor", "feature_extractor" (audio), joined by "+"
    task_preprocessor: Mapping[str, str] = field(
        default_factory=dict
    )  # task → `preprocessor`, where a task needs another
    image_processor: str = "ViTImageProcessor"  # its class; it makes square images of `image_size` pixels
    image_processor_kwargs: Mapping[str, Any] = field(default_factory=dict)
    image_size: Optional[int] = None  # default: config_kwargs["image_size"]
    feature_extractor: str = "WhisperFeatureExtractor"  # its class (audio)
    feature_extractor_kwargs: Mapping[str, Any] = field(default_factory=dict)
    bpe_tokenizer: bool = False  # a byte-level BPE tokenizer (the CLIP and LayoutLMv3 processors refuse BERT's)
    processor: Optional[str] = None  # the processor class that joins the tokenizer and the image processor
    #: What a TensorFlow checkpoint of the type must hold that the tiny PyTorch one need not: values the TF code
    #: reads (or builds its layers with) but the config class does not set.
    tf_config_kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Model:
    """One model type: everything this package knows about it."""

    model_type: str  # the legacy spelling, with "-": "gpt-neo"
    config: str  # "<module of this package>.<OnnxConfig class>", or a base class of transformers_onnx.config
    features: tuple[str, ...]
    ort_optimizer: Optional[str] = None  # the `model_type` of onnxruntime's transformer optimizer (--optimize)
    model_classes: Mapping[str, str] = field(default_factory=dict)  # task → class, where its Auto class maps none
    legacy: Optional[str] = None  # where transformers 4.57 exported the config class from ("transformers")
    last_release: Optional[str] = None  # transformers 5 removed it: the last release that has it
    fails_on_transformers_4: Mapping[str, str] = field(default_factory=dict)  # feature ("*": every one) → why
    #: feature ("*": every one, "*-with-past": every -with-past one) → why its TensorFlow export is refused
    tensorflow_failures: Mapping[str, str] = field(default_factory=dict)
    tiny: Optional[Tiny] = None  # every row has one (tests/test_models.py)

    @property
    def config_module(self) -> Optional[str]:
        """The module of this package holding the config class (None for a base class)."""
        return self.config.rsplit(".", 1)[0] if "." in self.config else None

    @property
    def config_class_name(self) -> str:
        return self.config.rsplit(".", 1)[-1]

    def tensorflow_failure(self, feature: str) -> Optional[str]:
        """Why the TensorFlow export of `feature` is refused (`tensorflow_failures`), or None."""
        past = "*-with-past" if feature.endswith("-with-past") else None
        for key in (feature, past, "*"):
            if key in self.tensorflow_failures:
                return self.tensorflow_failures[key]
        return None


def canonical_model_type(model_type: str) -> str:
    """The spelling rows use: `gpt_neo` and `GPT-Neo` are `gpt-neo`."""
    return model_type.lower().replace("_", "-")


#: Why a TensorFlow export is refused, for rows sharing the reason.
TF_T5_PAST = "tf2onnx 1.17 cannot convert the XlaDynamicSlice TF T5 cuts its position bias with, given a past"

#: Tiny models: sizes shared by the rows below.
VOCAB_SIZE = 90  # the size of the test tokenizer's vocabulary (tests/conftest.py)

BERT_SIZES = dict(
    vocab_size=VOCAB_SIZE,
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=64,
    max_position_embeddings=64,
    pad_token_id=0,
)
XLM_SIZES = dict(vocab_size=VOCAB_SIZE, emb_dim=32, n_layers=2, n_heads=4, max_position_embeddings=64, pad_index=0)
#: The TF multiple-choice heads read `initializer_range`, which the XLM configs lack (they have `init_std`).
XLM_TF = dict(initializer_range=0.02)
IMAGE_SIZES = dict(
    image_size=30,
    patch_size=10,
    num_channels=3,
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=64,
)
#: DETR-like detectors: a 4-stage ResNet backbone from transformers (not timm); d_model + heads divisible by 8
#: and d_model / 2 by 8 for DETR's segmentation head.
DETR_SIZES = dict(
    use_timm_backbone=False,
    use_pretrained_backbone=False,
    backbone=None,
    backbone_config=dict(
        model_type="resnet",
        embedding_size=8,
        hidden_sizes=[8, 8, 16, 16],
        depths=[1, 1, 1, 1],
        layer_type="basic",
        out_features=["stage1", "stage2", "stage3", "stage4"],
    ),
    d_model=64,
    encoder_layers=1,
    decoder_layers=1,
    encoder_attention_heads=8,
    decoder_attention_heads=8,
    encoder_ffn_dim=64,
    decoder_ffn_dim=64,
    num_queries=5,
)
DETR_IMAGES = dict(preprocessor="image_processor", image_processor="DetrImageProcessor", image_size=64)
#: ImageGPT's color palette: the 8 corners of a cube in its [-1, 1] pixel scale.
IMAGEGPT_CLUSTERS = [[r, g, b] for r in (-0.5, 0.5) for g in (-0.5, 0.5) for b in (-0.5, 0.5)]
#: CLIP-like text towers; bos/eos are ids of the test BPE tokenizer (tests/conftest.py).
CLIP_TEXT_SIZES = dict(
    vocab_size=VOCAB_SIZE,
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    max_position_embeddings=64,
    pad_token_id=1,
    bos_token_id=5,
    eos_token_id=6,
)
CLIP_PROCESSOR = dict(
    preprocessor="tokenizer+image_processor",
    bpe_tokenizer=True,
    image_processor="CLIPImageProcessor",
    image_processor_kwargs=dict(crop_size={"height": 30, "width": 30}),
    image_size=30,
)

#: Decoders: token ids below VOCAB_SIZE (bos/eos too: some configs default to ids of their real vocabulary).
DECODER_SIZES = dict(
    vocab_size=VOCAB_SIZE, hidden_size=32, max_position_embeddings=64, pad_token_id=0, bos_token_id=2, eos_token_id=3
)
GPT2_SIZES = dict(DECODER_SIZES, n_embd=32, n_layer=2, n_head=4, n_positions=64)
MULTI_HEAD_SIZES = dict(DECODER_SIZES, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, head_dim=8)
LLAMA_SIZES = dict(MULTI_HEAD_SIZES, num_key_value_heads=2)  # grouped-query attention
#: Encoder-decoders: fewer decoder heads than encoder heads, so that cache shapes use the decoder's.
SEQ2SEQ_TOKENS = dict(vocab_size=VOCAB_SIZE, pad_token_id=0, bos_token_id=2, eos_token_id=3, decoder_start_token_id=2)
BART_SIZES = dict(
    SEQ2SEQ_TOKENS,
    d_model=32,
    encoder_layers=2,
    decoder_layers=2,
    encoder_attention_heads=4,
    decoder_attention_heads=2,
    encoder_ffn_dim=64,
    decoder_ffn_dim=64,
    max_position_embeddings=64,
)
#: T5: one decoder layer fewer than the encoder, and heads of d_kv=16 (not d_model / heads).
T5_SIZES = dict(
    SEQ2SEQ_TOKENS,
    d_model=32,
    d_kv=16,
    d_ff=64,
    num_layers=2,
    num_decoder_layers=1,
    num_heads=4,
    relative_attention_num_buckets=8,
    relative_attention_max_distance=16,
)


#: Speech encoders: a tiny convolutional feature encoder (total stride 16) and 2 transformer layers; weights drawn
#: wider than the default 0.02 so that the pooled heads (classification, x-vector) are not vanishingly small.
WAV2VEC2_SIZES = dict(
    vocab_size=32,
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=64,
    conv_dim=(16, 16),
    conv_stride=(4, 4),
    conv_kernel=(8, 8),
    num_conv_pos_embeddings=16,
    num_conv_pos_embedding_groups=4,
    tdnn_dim=(16, 16),
    tdnn_kernel=(3, 1),
    tdnn_dilation=(1, 1),
    xvector_output_dim=8,
    classifier_proj_size=16,
    initializer_range=0.2,
    pad_token_id=0,
)
#: The heads of wav2vec2 and the encoders built like it; HuBERT, SEW and UniSpeech have the first three.
WAV2VEC2_FEATURES = (
    "default",
    "automatic-speech-recognition",
    "audio-classification",
    "audio-frame-classification",
    "audio-xvector",
)
CTC_FEATURES = WAV2VEC2_FEATURES[:3]
SPEECH_ENCODER = dict(preprocessor="feature_extractor", feature_extractor="Wav2Vec2FeatureExtractor")

#: AST: spectrograms of 24 frames x 16 mel bins in 8 x 8 patches at strides of 4: 5 x 3 patches.
AST_SIZES = dict(
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=64,
    patch_size=8,
    frequency_stride=4,
    time_stride=4,
    max_length=24,
    num_mel_bins=16,
    initializer_range=0.2,
)

#: Speech encoder-decoders: the features of Whisper.
SPEECH_SEQ2SEQ = ("default", "default-with-past", "speech2seq-lm", "speech2seq-lm-with-past")

#: Moonshine: heads of 16 (its rotary embedding covers 90 % of them); its encoder and decoder heads alike.
MOONSHINE_SIZES = dict(
    SEQ2SEQ_TOKENS,
    hidden_size=64,
    intermediate_size=128,
    encoder_num_hidden_layers=2,
    decoder_num_hidden_layers=2,
    encoder_num_attention_heads=4,
    decoder_num_attention_heads=4,
    max_position_embeddings=64,
)

#: VITS: a 16-wide text encoder, flows and a HiFi-GAN upsampling 16 times; no noise, so that the graph is
#: deterministic.
VITS_SIZES = dict(
    vocab_size=VOCAB_SIZE,
    hidden_size=16,
    num_hidden_layers=2,
    num_attention_heads=2,
    ffn_dim=32,
    flow_size=16,
    spectrogram_bins=17,
    upsample_initial_channel=16,
    upsample_rates=[4, 4],
    upsample_kernel_sizes=[8, 8],
    resblock_kernel_sizes=[3],
    resblock_dilation_sizes=[[1, 3]],
    duration_predictor_filter_channels=16,
    duration_predictor_num_flows=2,
    prior_encoder_num_flows=2,
    prior_encoder_num_wavenet_layers=2,
    posterior_encoder_num_wavenet_layers=2,
    noise_scale=0.0,
    noise_scale_duration=0.0,
)

#: ModernBERT's and ESM's features (optimum's): the text features without multiple choice and question answering.
TOKEN_AND_SEQUENCE_HEADS = ("default", "masked-lm", "sequence-classification", "token-classification")
#: Layout and markup encoders: no masked LM or multiple choice.
DOCUMENT = ("default", "question-answering", "sequence-classification", "token-classification")

#: `ort_optimizer="bert"` where onnxruntime's BERT fusions fuse the attention (of Megatron-BERT's pre-LayerNorm
#: layers, some); they leave MPNet's, ModernBERT's, ESM's, Nystromformer's, MarkupLM's and LiLT's unfused.

#: Swin-like encoders (Swin V2, Donut's): 2 stages of windows of 4 patches of 2 pixels.
SWIN_SIZES = dict(image_size=32, patch_size=2, embed_dim=16, depths=[1, 1], num_heads=[2, 2], window_size=4)

#: The image processors of CLIP's and SigLIP's vision towers, making images of IMAGE_SIZES' 30 pixels.
CLIP_IMAGES = dict(
    preprocessor="image_processor",
    image_processor="CLIPImageProcessor",
    image_processor_kwargs=CLIP_PROCESSOR["image_processor_kwargs"],
)
SIGLIP_IMAGES = dict(preprocessor="image_processor", image_processor="SiglipImageProcessor", image_size=30)
#: The special tokens of the tests' word-level tokenizer (tests/conftest.py): a text tower pooling its eos token
#: (MetaCLIP 2, whose XLM-R tokenizer the tests cannot build) finds it at the end of each row.
BERT_TOKENS = dict(pad_token_id=0, bos_token_id=2, eos_token_id=3)


#: Gemma 3's text model: one sliding-window and one global layer.
GEMMA3_TEXT_SIZES = dict(
    LLAMA_SIZES, query_pre_attn_scalar=8, sliding_window=16, layer_types=["sliding_attention", "full_attention"]
)
#: Mixture of experts: 4 small experts, 2 per token.
MOE_SIZES = dict(num_experts_per_tok=2, moe_intermediate_size=16)

#: RT-DETR-like detectors: 3 feature levels (strides 8, 16, 32) of a tiny backbone, 5 queries.
RT_DETR_SIZES = dict(
    encoder_hidden_dim=32,
    encoder_in_channels=[16, 16, 32],
    encoder_ffn_dim=64,
    encoder_attention_heads=4,
    d_model=32,
    decoder_in_channels=[32, 32, 32],
    decoder_ffn_dim=64,
    decoder_layers=2,  # transformers 5 cannot tie the box heads of RT-DETR v2 and D-FINE's one decoder layer
    decoder_attention_heads=4,
    decoder_n_points=2,
    num_queries=5,
    initializer_range=0.3,  # 0.01 scales the batch norms to features of 1e-12: the queries' scores all tie
)
RT_DETR_RESNET = dict(
    model_type="rt_detr_resnet",
    embedding_size=8,
    hidden_sizes=[8, 16, 16, 32],
    depths=[1, 1, 1, 1],
    layer_type="basic",
    out_indices=[2, 3, 4],
)
RT_DETR_IMAGES = dict(preprocessor="image_processor", image_processor="RTDetrImageProcessor", image_size=64)
#: Time series: windows of 16 steps of 2 channels, cut into 4 patches; forecasts of 6 steps.
TIME_SERIES_SIZES = dict(
    context_length=16,
    num_input_channels=2,
    patch_length=4,
    patch_stride=4,
    prediction_length=6,
    d_model=16,
)


#: Model type → its row.
MODELS: dict[str, Model] = {
    model.model_type: model
    for model in (
        # fmt: off
        Model("albert", "albert.AlbertOnnxConfig", TEXT, ort_optimizer="bert", legacy="transformers",
              tiny=Tiny("AlbertConfig", dict(BERT_SIZES, embedding_size=16))),
        Model("bert", "bert.BertOnnxConfig", TEXT_WITH_CAUSAL_LM, ort_optimizer="bert", legacy="transformers",
              tiny=Tiny("BertConfig", BERT_SIZES)),
        Model("big-bird", "big_bird.BigBirdOnnxConfig", TEXT_WITH_CAUSAL_LM, ort_optimizer="bert",
              legacy="transformers",
              tiny=Tiny("BigBirdConfig", dict(BERT_SIZES, attention_type="original_full"))),
        Model("camembert", "camembert.CamembertOnnxConfig", TEXT_WITH_CAUSAL_LM, ort_optimizer="bert",
              legacy="transformers",
              tiny=Tiny("CamembertConfig", BERT_SIZES)),
        Model("convbert", "convbert.ConvBertOnnxConfig", TEXT, legacy="transformers",
              tiny=Tiny("ConvBertConfig", dict(BERT_SIZES, embedding_size=32))),
        Model("data2vec-text", "data2vec.Data2VecTextOnnxConfig", TEXT, ort_optimizer="bert", legacy="transformers",
              tiny=Tiny("Data2VecTextConfig", BERT_SIZES)),
        Model("deberta", "deberta.DebertaOnnxConfig", tuple(f for f in TEXT if f != "multiple-choice"),
              legacy="transformers",
              tiny=Tiny("DebertaConfig", BERT_SIZES)),
        Model("deberta-v2", "deberta_v2.DebertaV2OnnxConfig", TEXT, legacy="transformers",
              tiny=Tiny("DebertaV2Config", BERT_SIZES)),
        Model("distilbert", "distilbert.DistilBertOnnxConfig", TEXT, ort_optimizer="bert", legacy="transformers",
              tiny=Tiny(
                  "DistilBertConfig",
                  dict(vocab_size=VOCAB_SIZE, dim=32, n_layers=2, n_heads=4, hidden_dim=64, pad_token_id=0),
              )),
        Model("electra", "electra.ElectraOnnxConfig", TEXT_WITH_CAUSAL_LM, ort_optimizer="bert",
              legacy="transformers",
              tiny=Tiny("ElectraConfig", dict(BERT_SIZES, embedding_size=16))),
        Model("flaubert", "flaubert.FlaubertOnnxConfig", TEXT_WITH_CAUSAL_LM,
              model_classes={"causal-lm": "FlaubertWithLMHeadModel"}, legacy="transformers",
              tiny=Tiny("FlaubertConfig", XLM_SIZES, tf_config_kwargs=XLM_TF)),
        Model("ibert", "ibert.IBertOnnxConfig", TEXT, ort_optimizer="bert", legacy="transformers",
              tiny=Tiny("IBertConfig", BERT_SIZES)),
        Model("mobilebert", "mobilebert.MobileBertOnnxConfig", TEXT, legacy="transformers",
              tiny=Tiny(
                  "MobileBertConfig",
                  dict(
                      BERT_SIZES,
                      embedding_size=16,
                      intra_bottleneck_size=16,
                      true_hidden_size=16,
                      num_feedforward_networks=2,
                  ),
              )),
        Model("rembert", "rembert.RemBertOnnxConfig", TEXT_WITH_CAUSAL_LM, legacy="transformers",
              tiny=Tiny("RemBertConfig", dict(BERT_SIZES, input_embedding_size=16, output_embedding_size=16))),
        Model("roberta", "roberta.RobertaOnnxConfig", TEXT_WITH_CAUSAL_LM, ort_optimizer="bert",
              legacy="transformers",
              tiny=Tiny("RobertaConfig", BERT_SIZES)),
        Model("roformer", "roformer.RoFormerOnnxConfig", TEXT_WITH_CAUSAL_LM, legacy="transformers",
              tiny=Tiny("RoFormerConfig", dict(BERT_SIZES, embedding_size=32))),
        Model("squeezebert", "squeezebert.SqueezeBertOnnxConfig", TEXT, legacy="transformers",
              tiny=Tiny("SqueezeBertConfig", dict(BERT_SIZES, embedding_size=32))),
        Model("xlm", "xlm.XLMOnnxConfig", TEXT_WITH_CAUSAL_LM, legacy="transformers",
              tiny=Tiny("XLMConfig", XLM_SIZES, tf_config_kwargs=XLM_TF)),
        Model("xlm-roberta", "xlm_roberta.XLMRobertaOnnxConfig", TEXT_WITH_CAUSAL_LM, ort_optimizer="bert",
              legacy="transformers",
              tiny=Tiny("XLMRobertaConfig", BERT_SIZES)),
        Model("vit", "vit.ViTOnnxConfig", IMAGE + ("masked-im",), ort_optimizer="vit", legacy="transformers",
              tiny=Tiny("ViTConfig", IMAGE_SIZES, preprocessor="image_processor")),
        Model("beit", "beit.BeitOnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny("BeitConfig", IMAGE_SIZES, preprocessor="image_processor")),
        Model("conditional-detr", "conditional_detr.ConditionalDetrOnnxConfig", DETECTION, legacy="transformers",
              tiny=Tiny(
                  "ConditionalDetrConfig",
                  DETR_SIZES,
                  **dict(DETR_IMAGES, image_processor="ConditionalDetrImageProcessor")
              )),
        Model("convnext", "convnext.ConvNextOnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "ConvNextConfig",
                  dict(image_size=32, hidden_sizes=[8, 16], depths=[1, 1], num_stages=2),
                  preprocessor="image_processor",
              )),
        Model("data2vec-vision", "data2vec.Data2VecVisionOnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny("Data2VecVisionConfig", IMAGE_SIZES, preprocessor="image_processor")),
        Model("deit", "deit.DeiTOnnxConfig", IMAGE + ("masked-im",), legacy="transformers",
              tiny=Tiny(
                  "DeiTConfig",
                  dict(IMAGE_SIZES, architectures=["DeiTForImageClassification"]),
                  preprocessor="image_processor",
              )),
        Model("detr", "detr.DetrOnnxConfig", DETECTION + ("image-segmentation",), legacy="transformers",
              tiny=Tiny("DetrConfig", DETR_SIZES, **DETR_IMAGES)),
        Model("dinov2", "dinov2.Dinov2OnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny("Dinov2Config", dict(IMAGE_SIZES, mlp_ratio=2), preprocessor="image_processor")),
        Model("efficientnet", "efficientnet.EfficientNetOnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "EfficientNetConfig",
                  dict(image_size=32, width_coefficient=0.1, depth_coefficient=0.1, hidden_dim=128),
                  preprocessor="image_processor",
              )),
        Model("imagegpt", "imagegpt.ImageGPTOnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "ImageGPTConfig",
                  dict(vocab_size=len(IMAGEGPT_CLUSTERS) + 1, n_positions=64, n_embd=32, n_layer=2, n_head=4),
                  preprocessor="image_processor",
                  image_processor="ImageGPTImageProcessor",
                  image_processor_kwargs=dict(clusters=IMAGEGPT_CLUSTERS),
                  image_size=8,
              )),
        Model("levit", "levit.LevitOnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "LevitConfig",
                  dict(
                      architectures=["LevitForImageClassification"],
                      image_size=64,
                      hidden_sizes=[16, 24, 32],
                      num_attention_heads=[2, 2, 2],
                      depths=[1, 1, 1],
                      key_dim=[8, 8, 8],
                  ),
                  preprocessor="image_processor",
              )),
        Model("mobilenet-v1", "mobilenet_v1.MobileNetV1OnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "MobileNetV1Config",
                  dict(image_size=32, depth_multiplier=0.25, min_depth=8),
                  preprocessor="image_processor",
              )),
        Model("mobilenet-v2", "mobilenet_v2.MobileNetV2OnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "MobileNetV2Config",
                  dict(image_size=32, depth_multiplier=0.25, min_depth=8),
                  preprocessor="image_processor",
              )),
        Model("mobilevit", "mobilevit.MobileViTOnnxConfig", IMAGE + ("semantic-segmentation",), legacy="transformers",
              tiny=Tiny(
                  "MobileViTConfig",
                  dict(
                      image_size=32,
                      hidden_sizes=[16, 24, 32],
                      neck_hidden_sizes=[8, 8, 16, 16, 24, 32, 64],
                      num_attention_heads=4,
                      # features that do not vanish (at 0.02 they were exactly 0 at the head)
                      initializer_range=0.5,
                      aspp_out_channels=16,
                  ),
                  preprocessor="image_processor",
              )),
        Model("mobilevitv2", "mobilevitv2.MobileViTV2OnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "MobileViTV2Config", dict(image_size=64, width_multiplier=0.25), preprocessor="image_processor"
              )),
        Model("perceiver", "perceiver.PerceiverOnnxConfig",
              ("image-classification", "masked-lm", "sequence-classification"), legacy="transformers",
              tiny=Tiny(
                  "PerceiverConfig",
                  dict(
                      architectures=["PerceiverForImageClassificationLearned"],
                      num_latents=8,
                      d_latents=32,
                      d_model=32,
                      num_blocks=1,
                      num_self_attends_per_block=2,
                      num_self_attention_heads=4,
                      num_cross_attention_heads=4,
                      vocab_size=VOCAB_SIZE,
                      max_position_embeddings=64,
                      image_size=16,
                  ),
                  task_preprocessor={"image-classification": "image_processor"},
              )),
        Model("poolformer", "poolformer.PoolFormerOnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "PoolFormerConfig",
                  dict(hidden_sizes=[8, 16, 24, 32], depths=[1, 1, 1, 1]),
                  preprocessor="image_processor",
                  image_size=64,
              )),
        Model("pvt", "pvt.PvtOnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "PvtConfig",
                  dict(
                      image_size=32,
                      num_encoder_blocks=2,
                      depths=[1, 1],
                      sequence_reduction_ratios=[2, 1],
                      hidden_sizes=[16, 32],
                      patch_sizes=[4, 2],
                      strides=[4, 2],
                      num_attention_heads=[1, 2],
                      mlp_ratios=[2, 2],
                  ),
                  preprocessor="image_processor",
              )),
        Model("resnet", "resnet.ResNetOnnxConfig", IMAGE, legacy="transformers",
              tiny=Tiny(
                  "ResNetConfig",
                  dict(embedding_size=8, hidden_sizes=[8, 16], depths=[1, 1], layer_type="basic"),
                  preprocessor="image_processor",
                  image_size=32,
              )),
        Model("segformer", "segformer.SegformerOnnxConfig", IMAGE + ("semantic-segmentation",), legacy="transformers",
              tiny=Tiny(
                  "SegformerConfig",
                  dict(
                      num_encoder_blocks=2,
                      depths=[1, 1],
                      sr_ratios=[2, 1],
                      hidden_sizes=[16, 32],
                      patch_sizes=[7, 3],
                      strides=[4, 2],
                      num_attention_heads=[1, 2],
                      mlp_ratios=[2, 2],
                      decoder_hidden_size=32,
                  ),
                  preprocessor="image_processor",
                  image_size=32,
              )),
        Model("swiftformer", "swiftformer.SwiftFormerOnnxConfig", IMAGE, legacy="transformers",
              tensorflow_failures={
                  "*": "the TF SwiftFormer reshapes with static image sizes, which tracing with dynamic ones leaves"
                  " unknown"
              },
              tiny=Tiny(
                  "SwiftFormerConfig",
                  dict(image_size=32, depths=[1, 1, 1, 1], embed_dims=[8, 16, 24, 32]),
                  preprocessor="image_processor",
              )),
        Model("swin", "swin.SwinOnnxConfig", IMAGE + ("masked-im",), legacy="transformers",
              tiny=Tiny(
                  "SwinConfig",
                  dict(image_size=32, patch_size=2, embed_dim=16, depths=[1, 1], num_heads=[2, 2], window_size=4),
                  preprocessor="image_processor",
              )),
        Model("table-transformer", "table_transformer.TableTransformerOnnxConfig", DETECTION, legacy="transformers",
              tiny=Tiny("TableTransformerConfig", DETR_SIZES, **DETR_IMAGES)),
        Model("yolos", "yolos.YolosOnnxConfig", DETECTION, legacy="transformers",
              tiny=Tiny(
                  "YolosConfig",
                  dict(IMAGE_SIZES, image_size=[30, 30], num_detection_tokens=5),
                  preprocessor="image_processor",
                  image_size=30,
              )),
        Model("chinese-clip", "chinese_clip.ChineseCLIPOnnxConfig", ("default", "zero-shot-image-classification"),
              legacy="transformers",
              tiny=Tiny(
                  "ChineseCLIPConfig",
                  dict(text_config=BERT_SIZES, vision_config=IMAGE_SIZES, projection_dim=16),
                  **dict(
                      CLIP_PROCESSOR,
                      processor="ChineseCLIPProcessor",
                      image_processor="ChineseCLIPImageProcessor",
                      bpe_tokenizer=False,
                  )
              )),
        Model("clip", "clip.CLIPOnnxConfig", ("default", "image-classification", "zero-shot-image-classification"),
              legacy="transformers",
              tiny=Tiny(
                  "CLIPConfig",
                  dict(text_config=CLIP_TEXT_SIZES, vision_config=IMAGE_SIZES, projection_dim=16),
                  **dict(CLIP_PROCESSOR, processor="CLIPProcessor")
              )),
        Model("groupvit", "groupvit.GroupViTOnnxConfig", ("default",), legacy="transformers",
              tiny=Tiny(
                  "GroupViTConfig",
                  dict(
                      text_config=CLIP_TEXT_SIZES,
                      vision_config=dict(
                          IMAGE_SIZES,
                          depths=[1, 1],
                          num_group_tokens=[4, 0],
                          num_output_groups=[4, 2],
                          num_hidden_layers=2,
                      ),
                      projection_dim=16,
                      projection_intermediate_dim=32,
                  ),
                  **dict(CLIP_PROCESSOR, processor="CLIPProcessor")
              )),
        Model("layoutlm", "layoutlm.LayoutLMOnnxConfig",
              ("default", "masked-lm", "sequence-classification", "token-classification"), legacy="transformers",
              tiny=Tiny("LayoutLMConfig", BERT_SIZES)),
        Model("layoutlmv3", "layoutlmv3.LayoutLMv3OnnxConfig",
              ("default", "question-answering", "sequence-classification", "token-classification"),
              legacy="transformers",
              tiny=Tiny(
                  "LayoutLMv3Config",
                  dict(BERT_SIZES, pad_token_id=1, coordinate_size=4, shape_size=8, input_size=32),
                  preprocessor="tokenizer+image_processor",
                  processor="LayoutLMv3Processor",
                  bpe_tokenizer=True,
                  image_processor="LayoutLMv3ImageProcessor",
                  image_processor_kwargs=dict(apply_ocr=False),
                  image_size=32,
              )),
        Model("owlvit", "owlvit.OwlViTOnnxConfig", ("default", "zero-shot-object-detection"), legacy="transformers",
              tiny=Tiny(
                  "OwlViTConfig",
                  # detection compares text embeddings with image ones projected to the text width (32)
                  dict(text_config=CLIP_TEXT_SIZES, vision_config=IMAGE_SIZES, projection_dim=32),
                  **dict(CLIP_PROCESSOR, processor="OwlViTProcessor", image_processor="OwlViTImageProcessor")
              )),
        Model("ernie", "ernie.ErnieOnnxConfig", TEXT_WITH_CAUSAL_LM, legacy="transformers",
              tiny=Tiny("ErnieConfig", dict(BERT_SIZES, use_task_id=True, task_type_vocab_size=3))),
        Model("longformer", "longformer.LongformerOnnxConfig", TEXT, legacy="transformers",
              tiny=Tiny("LongformerConfig", dict(BERT_SIZES, attention_window=16))),
        Model("mega", "mega.MegaOnnxConfig", TEXT_WITH_CAUSAL_LM, last_release="4.57.6",
              fails_on_transformers_4={
            "*": "torch's TorchScript exporter has no symbolic for aten::fft_rfft, which MEGA's moving average uses"
            " (docs/supported-models-notes.md)"
        },
              tiny=Tiny(
                  "MegaConfig",
                  dict(
                      vocab_size=VOCAB_SIZE,
                      hidden_size=32,
                      num_hidden_layers=2,
                      intermediate_size=64,
                      ema_projection_size=4,
                      shared_representation_size=16,
                      max_positions=64,
                      pad_token_id=0,
                  ),
              )),
        Model("roberta-prelayernorm", "roberta_prelayernorm.RobertaPreLayerNormOnnxConfig", TEXT_WITH_CAUSAL_LM,
              legacy="transformers",
              tiny=Tiny("RobertaPreLayerNormConfig", BERT_SIZES)),
        Model("xlm-roberta-xl", "xlm_roberta_xl.XLMRobertaXLOnnxConfig", TEXT_WITH_CAUSAL_LM, legacy="transformers",
              tiny=Tiny("XLMRobertaXLConfig", BERT_SIZES)),
        Model("xmod", "xmod.XmodOnnxConfig", TEXT_WITH_CAUSAL_LM, legacy="transformers",
              fails_on_transformers_4={
            "*": "transformers 4.57's X-MOD splits the batch by language with sizes that the exporter freezes"
            " (docs/supported-models-notes.md)"
        },
              tiny=Tiny("XmodConfig", dict(BERT_SIZES, languages=["en_XX"], default_language="en_XX"))),
        Model("gpt2", "gpt2.GPT2OnnxConfig", DECODER + ("sequence-classification", "token-classification"),
              ort_optimizer="gpt2", legacy="transformers",
              tiny=Tiny(
                  "GPT2Config",
                  dict(vocab_size=VOCAB_SIZE, n_embd=32, n_layer=2, n_head=4, n_positions=64, pad_token_id=0),
              )),
        Model("gpt-neo", "gpt_neo.GPTNeoOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              legacy="transformers",
              tiny=Tiny(
                  "GPTNeoConfig",
                  dict(
                      DECODER_SIZES,
                      num_layers=2,
                      num_heads=4,
                      attention_types=[[["global", "local"], 1]],
                      window_size=16,
                  ),
              )),
        Model("gptj", "gptj.GPTJOnnxConfig", DECODER_WITH_CLASSIFIER + ("question-answering",), ort_optimizer="gpt2",
              legacy="transformers",
              tiny=Tiny("GPTJConfig", dict(GPT2_SIZES, rotary_dim=4))),
        Model("codegen", "codegen.CodeGenOnnxConfig", DECODER, ort_optimizer="gpt2", legacy="transformers",
              tiny=Tiny("CodeGenConfig", dict(GPT2_SIZES, rotary_dim=4, n_ctx=64))),
        Model("bloom", "bloom.BloomOnnxConfig", DECODER_WITH_CLASSIFIER + ("token-classification",),
              ort_optimizer="gpt2",
              legacy="transformers",
              tiny=Tiny("BloomConfig", dict(DECODER_SIZES, n_layer=2, n_head=4))),
        Model("llama", "llama.LlamaOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny("LlamaConfig", LLAMA_SIZES)),
        Model("mistral", "mistral.MistralOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tensorflow_failures={
                  "*-with-past": "TFMistralForCausalLM cannot be traced with a past of dynamic length (TensorFlow"
                  " raises a ValueError)"
              },
              tiny=Tiny("MistralConfig", dict(LLAMA_SIZES, sliding_window=16))),
        Model("mixtral", "mixtral.MixtralOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              fails_on_transformers_4={"*": "transformers 4 loops over the experts chosen at trace time (see docs)"},
              tiny=Tiny("MixtralConfig", dict(LLAMA_SIZES, num_local_experts=4, num_experts_per_tok=2))),
        Model("qwen2", "qwen2.Qwen2OnnxConfig", DECODER_WITH_CLASSIFIER + ("token-classification",), ort_optimizer="gpt2",
              tiny=Tiny("Qwen2Config", LLAMA_SIZES)),
        Model("qwen3", "qwen3.Qwen3OnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="qwen3",
              tiny=Tiny("Qwen3Config", LLAMA_SIZES)),
        Model("gemma", "gemma.GemmaOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny("GemmaConfig", LLAMA_SIZES)),
        Model("gemma2", "gemma2.Gemma2OnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny("Gemma2Config", dict(LLAMA_SIZES, query_pre_attn_scalar=8, sliding_window=16))),
        Model("gemma3-text", "gemma3_text.Gemma3TextOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny(
                  "Gemma3TextConfig",
                  dict(
                      LLAMA_SIZES,
                      query_pre_attn_scalar=8,
                      sliding_window=16,
                      layer_types=["sliding_attention", "full_attention"],
                  ),
              )),
        Model("phi", "phi.PhiOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny("PhiConfig", LLAMA_SIZES)),
        Model("phi3", "phi3.Phi3OnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny("Phi3Config", LLAMA_SIZES)),
        Model("olmo", "olmo.OlmoOnnxConfig", DECODER_WITH_CLASSIFIER,
              fails_on_transformers_4={
                  "sequence-classification": "OlmoForSequenceClassification is new in transformers 5"
              },
              tiny=Tiny("OlmoConfig", LLAMA_SIZES)),
        Model("granite", "granite.GraniteOnnxConfig", DECODER, ort_optimizer="gpt2",
              tiny=Tiny("GraniteConfig", LLAMA_SIZES)),
        Model("falcon", "falcon.FalconOnnxConfig", DECODER_WITH_CLASSIFIER + ("token-classification", "question-answering"),
              ort_optimizer="gpt2",
              tiny=Tiny(
                  "FalconConfig",
                  dict(
                      DECODER_SIZES,
                      num_hidden_layers=2,
                      num_attention_heads=4,
                      new_decoder_architecture=True,
                      num_kv_heads=2,
                  ),
              )),
        Model("gpt-neox", "gpt_neox.GPTNeoXOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt_neox",
              tiny=Tiny("GPTNeoXConfig", dict(MULTI_HEAD_SIZES, rotary_pct=0.5))),
        Model("gpt-bigcode", "gpt_bigcode.GPTBigCodeOnnxConfig", DECODER_WITH_CLASSIFIER + ("token-classification",),
              ort_optimizer="gpt2",
              tiny=Tiny("GPTBigCodeConfig", GPT2_SIZES)),
        Model("starcoder2", "starcoder2.Starcoder2OnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny("Starcoder2Config", dict(LLAMA_SIZES, sliding_window=16))),
        Model("stablelm", "stablelm.StableLmOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny("StableLmConfig", LLAMA_SIZES)),
        Model("olmo2", "DecoderOnnxConfig", DECODER_WITH_CLASSIFIER, tiny=Tiny("Olmo2Config", LLAMA_SIZES),
              fails_on_transformers_4={
                  "sequence-classification": "Olmo2ForSequenceClassification is new in transformers 5"
              }),
        Model("t5", "t5.T5OnnxConfig", SEQ2SEQ, legacy="transformers",
              tensorflow_failures={"*-with-past": TF_T5_PAST},
              tiny=Tiny("T5Config", T5_SIZES)),
        Model("mt5", "mt5.MT5OnnxConfig", SEQ2SEQ, legacy="transformers",
              tensorflow_failures={"*-with-past": TF_T5_PAST},
              tiny=Tiny("MT5Config", T5_SIZES)),
        Model("longt5", "longt5.LongT5OnnxConfig", SEQ2SEQ, legacy="transformers",
              tiny=Tiny("LongT5Config", dict(T5_SIZES, local_radius=2, global_block_size=4))),
        Model("umt5", "umt5.UMT5OnnxConfig", SEQ2SEQ, legacy="transformers",
              tiny=Tiny("UMT5Config", T5_SIZES)),
        Model("bart", "bart.BartOnnxConfig", BART_LIKE, legacy="transformers",
              # TF builds BART with token ids of 2 (`dummy_inputs`): the classification head needs an eos among them.
              tiny=Tiny("BartConfig", BART_SIZES, tf_config_kwargs=dict(eos_token_id=2))),
        Model("mbart", "mbart.MBartOnnxConfig", BART_LIKE, legacy="transformers",
              tiny=Tiny("MBartConfig", BART_SIZES)),
        Model("bigbird-pegasus", "bigbird_pegasus.BigBirdPegasusOnnxConfig", BART_LIKE, legacy="transformers",
              tiny=Tiny("BigBirdPegasusConfig", dict(BART_SIZES, attention_type="original_full"))),
        Model("marian", "marian.MarianOnnxConfig", SEQ2SEQ_WITH_CAUSAL_LM, legacy="transformers",
              tiny=Tiny("MarianConfig", BART_SIZES)),
        Model("blenderbot", "blenderbot.BlenderbotOnnxConfig", SEQ2SEQ_WITH_CAUSAL_LM, legacy="transformers",
              tiny=Tiny("BlenderbotConfig", BART_SIZES)),
        Model("blenderbot-small", "blenderbot_small.BlenderbotSmallOnnxConfig", SEQ2SEQ_WITH_CAUSAL_LM,
              legacy="transformers",
              tiny=Tiny("BlenderbotSmallConfig", BART_SIZES)),
        Model("plbart", "plbart.PLBartOnnxConfig", SEQ2SEQ_WITH_CAUSAL_LM + ("sequence-classification",),
              legacy="transformers.models.plbart",
              tiny=Tiny("PLBartConfig", BART_SIZES)),
        Model("m2m-100", "m2m_100.M2M100OnnxConfig", SEQ2SEQ, legacy="transformers",
              tiny=Tiny("M2M100Config", BART_SIZES)),
        Model("whisper", "whisper.WhisperOnnxConfig", SPEECH_SEQ2SEQ + ("audio-classification",), legacy="transformers",
              tiny=Tiny(
                  "WhisperConfig",
                  dict(
                      BART_SIZES,
                      num_mel_bins=16,
                      max_source_positions=50,
                      max_target_positions=64,
                      suppress_tokens=None,
                      begin_suppress_tokens=None,
                  ),
                  preprocessor="feature_extractor",
                  # 1 s chunks: 100 frames, for max_source_positions=50
                  feature_extractor_kwargs=dict(feature_size=16, chunk_length=1),
              )),
        Model("vision-encoder-decoder", "vision_encoder_decoder.VisionEncoderDecoderOnnxConfig",
              ("vision2seq-lm", "vision2seq-lm-with-past"),
              legacy="transformers",
              tiny=Tiny(
                  "VisionEncoderDecoderConfig",
                  dict(
                      encoder=dict(IMAGE_SIZES, model_type="vit"),
                      decoder=dict(GPT2_SIZES, model_type="gpt2", is_decoder=True, add_cross_attention=True),
                  ),
                  preprocessor="image_processor+tokenizer",
              )),

        # Speech and audio: newer than transformers.onnx

        Model("wav2vec2", "AudioOnnxConfig", WAV2VEC2_FEATURES,
              tiny=Tiny("Wav2Vec2Config", WAV2VEC2_SIZES, **SPEECH_ENCODER)),
        Model("wav2vec2-conformer", "AudioOnnxConfig", WAV2VEC2_FEATURES,
              tiny=Tiny("Wav2Vec2ConformerConfig", dict(WAV2VEC2_SIZES, conv_depthwise_kernel_size=7), **SPEECH_ENCODER)),
        Model("wavlm", "wavlm.WavLMOnnxConfig", WAV2VEC2_FEATURES,
              tiny=Tiny("WavLMConfig", dict(WAV2VEC2_SIZES, num_buckets=16, max_bucket_distance=64), **SPEECH_ENCODER)),
        Model("data2vec-audio", "AudioOnnxConfig", WAV2VEC2_FEATURES,
              tiny=Tiny(
                  "Data2VecAudioConfig",
                  dict(WAV2VEC2_SIZES, num_conv_pos_embeddings=2, conv_pos_kernel_size=5),  # 2 positional conv layers
                  **SPEECH_ENCODER,
              )),
        Model("unispeech-sat", "AudioOnnxConfig", WAV2VEC2_FEATURES,
              tiny=Tiny("UniSpeechSatConfig", WAV2VEC2_SIZES, **SPEECH_ENCODER)),
        Model("hubert", "AudioOnnxConfig", CTC_FEATURES,
              tiny=Tiny("HubertConfig", WAV2VEC2_SIZES, **SPEECH_ENCODER)),
        Model("sew", "sew.SEWOnnxConfig", CTC_FEATURES,
              tiny=Tiny("SEWConfig", WAV2VEC2_SIZES, **SPEECH_ENCODER)),
        Model("sew-d", "sew.SEWOnnxConfig", CTC_FEATURES,
              tiny=Tiny("SEWDConfig", dict(WAV2VEC2_SIZES, position_buckets=16, max_position_embeddings=64),
                        **SPEECH_ENCODER)),
        Model("unispeech", "AudioOnnxConfig", CTC_FEATURES,
              tiny=Tiny("UniSpeechConfig", WAV2VEC2_SIZES, **SPEECH_ENCODER)),
        Model("audio-spectrogram-transformer", "audio_spectrogram_transformer.ASTOnnxConfig",
              ("default", "audio-classification"),
              tiny=Tiny("ASTConfig", AST_SIZES, preprocessor="feature_extractor", feature_extractor="ASTFeatureExtractor",
                        feature_extractor_kwargs=dict(num_mel_bins=16, max_length=24))),
        Model("speech-to-text", "speech_to_text.Speech2TextOnnxConfig", SPEECH_SEQ2SEQ,
              tiny=Tiny(
                  "Speech2TextConfig",
                  dict(BART_SIZES, max_source_positions=64, max_target_positions=64, conv_channels=32,
                       input_feat_per_channel=16),
                  preprocessor="feature_extractor",
                  feature_extractor="Speech2TextFeatureExtractor",
                  feature_extractor_kwargs=dict(feature_size=16, num_mel_bins=16),
              )),
        Model("moonshine", "moonshine.MoonshineOnnxConfig", SPEECH_SEQ2SEQ,
              tiny=Tiny("MoonshineConfig", MOONSHINE_SIZES, **SPEECH_ENCODER)),
        Model("vits", "vits.VitsOnnxConfig", ("text-to-audio",), tiny=Tiny("VitsConfig", VITS_SIZES)),
        # fmt: on

        # Text encoders: newer than transformers.onnx

        Model("modernbert", "modernbert.ModernBertOnnxConfig", TOKEN_AND_SEQUENCE_HEADS,
              tiny=Tiny(
                  "ModernBertConfig",
                  # a window of 4 positions on the second (local) layer; special tokens within the test vocabulary
                  dict(BERT_SIZES, local_attention=4, global_attn_every_n_layers=2, bos_token_id=2, cls_token_id=2,
                       eos_token_id=3, sep_token_id=3),
              )),
        Model("mpnet", "mpnet.MPNetOnnxConfig", TEXT,
              tiny=Tiny("MPNetConfig", BERT_SIZES)),
        Model("esm", "esm.EsmOnnxConfig", TOKEN_AND_SEQUENCE_HEADS,
              tiny=Tiny(
                  "EsmConfig",
                  # ESM-2: rotary positions and masked tokens zeroed ([MASK] of the test vocabulary)
                  dict(BERT_SIZES, position_embedding_type="rotary", token_dropout=True, mask_token_id=4,
                       emb_layer_norm_before=False),
              )),
        Model("megatron-bert", "TextEncoderOnnxConfig", TEXT, ort_optimizer="bert",
              tiny=Tiny("MegatronBertConfig", BERT_SIZES)),
        Model("nystromformer", "nystromformer.NystromformerOnnxConfig", TEXT,
              # as many landmarks as segment positions: full attention, any length (landmarks: tests/test_models_text.py)
              tiny=Tiny("NystromformerConfig", dict(BERT_SIZES, num_landmarks=64, segment_means_seq_len=64))),
        Model("splinter", "TextEncoderOnnxConfig", ("default", "question-answering"), ort_optimizer="bert",
              # the question answered is the one at the first [QUESTION] token (an id of the test vocabulary)
              tiny=Tiny("SplinterConfig", dict(BERT_SIZES, question_token_id=10))),
        Model("markuplm", "markuplm.MarkupLMOnnxConfig", DOCUMENT,
              tiny=Tiny(
                  "MarkupLMConfig",
                  dict(BERT_SIZES, max_depth=4, xpath_unit_hidden_size=8, max_xpath_tag_unit_embeddings=16,
                       max_xpath_subs_unit_embeddings=16, tag_pad_id=15, subs_pad_id=15),
              )),
        Model("lilt", "lilt.LiltOnnxConfig", DOCUMENT,
              # six box embeddings of hidden_size / 6 each; the layout stream is hidden_size / channel_shrink_ratio wide
              tiny=Tiny("LiltConfig", dict(BERT_SIZES, hidden_size=48, channel_shrink_ratio=4))),
        Model("visual-bert", "visual_bert.VisualBertOnnxConfig", ("default",), ort_optimizer="bert",
              tiny=Tiny("VisualBertConfig", dict(BERT_SIZES, visual_embedding_dim=16))),
        # fmt: on

        # Encoder-decoders: newer than transformers.onnx

        Model("pegasus", "bart.BartOnnxConfig", SEQ2SEQ_WITH_CAUSAL_LM, tiny=Tiny("PegasusConfig", BART_SIZES)),
        Model("encoder-decoder", "encoder_decoder.EncoderDecoderOnnxConfig", ("seq2seq-lm", "seq2seq-lm-with-past"),
              tiny=Tiny(
                  "EncoderDecoderConfig",
                  dict(
                      encoder=dict(BERT_SIZES, model_type="bert"),
                      # a narrower decoder of fewer heads: the model projects the encoder's states to its width
                      decoder=dict(
                          BERT_SIZES,
                          model_type="bert",
                          hidden_size=16,
                          num_attention_heads=2,
                          is_decoder=True,
                          add_cross_attention=True,
                      ),
                      # the top-level ids generation reads, as the bert2bert recipe sets them
                      **{name: SEQ2SEQ_TOKENS[name] for name in ("vocab_size", "pad_token_id", "decoder_start_token_id")},
                  ),
              )),
        Model("trocr", "trocr.TrOCROnnxConfig", ("default", "default-with-past"),
              model_classes={"default": "TrOCRForCausalLM"},
              tiny=Tiny(
                  "TrOCRConfig",
                  dict(
                      SEQ2SEQ_TOKENS,
                      d_model=32,
                      decoder_layers=2,
                      decoder_attention_heads=4,
                      decoder_ffn_dim=64,
                      max_position_embeddings=64,
                      cross_attention_hidden_size=16,  # an encoder narrower than the decoder
                  ),
              )),
        Model("pix2struct", "pix2struct.Pix2StructOnnxConfig", ("vision2seq-lm", "vision2seq-lm-with-past"),
              tiny=Tiny(
                  "Pix2StructConfig",
                  dict(
                      text_config=dict(
                          SEQ2SEQ_TOKENS,
                          hidden_size=32,
                          d_kv=16,
                          d_ff=64,
                          num_layers=2,
                          num_heads=2,
                          relative_attention_num_buckets=8,
                          relative_attention_max_distance=16,
                      ),
                      vision_config=dict(
                          hidden_size=32,
                          patch_embed_hidden_size=48,  # a patch's pixels: 4 x 4 x 3
                          d_ff=64,
                          d_kv=8,
                          num_hidden_layers=2,
                          num_attention_heads=4,
                          seq_len=64,
                      ),
                  ),
                  preprocessor="image_processor",
                  image_processor="Pix2StructImageProcessor",
                  image_processor_kwargs=dict(patch_size={"height": 4, "width": 4}, max_patches=16),
                  image_size=30,  # given to the tests' image processor, which makes max_patches of any image
              )),
        # fmt: on

        # Vision: newer than transformers.onnx

        Model("convnextv2", "convnextv2.ConvNextV2OnnxConfig", IMAGE,
              tiny=Tiny(
                  "ConvNextV2Config",
                  dict(image_size=32, hidden_sizes=[8, 16], depths=[1, 1], num_stages=2),
                  preprocessor="image_processor",
              )),
        Model("cvt", "cvt.CvtOnnxConfig", IMAGE,
              tiny=Tiny(
                  # transformers reads each stage's drop-path rate at the stage's index: depth[i] must exceed i
                  "CvtConfig",
                  dict(embed_dim=[8, 16, 32], num_heads=[1, 2, 4], depth=[1, 2, 3]),
                  preprocessor="image_processor",
                  image_size=32,
              )),
        Model("hiera", "hiera.HieraOnnxConfig", IMAGE,
              tiny=Tiny(
                  "HieraConfig",
                  dict(
                      image_size=[64, 64],
                      embed_dim=8,
                      depths=[1, 1],
                      num_heads=[1, 2],
                      masked_unit_size=[4, 4],
                      masked_unit_attention=[True, False],
                      num_query_pool=1,
                  ),
                  preprocessor="image_processor",
                  image_size=64,
              )),
        Model("regnet", "regnet.RegNetOnnxConfig", IMAGE,
              tiny=Tiny(
                  "RegNetConfig",
                  dict(embedding_size=8, hidden_sizes=[8, 16], depths=[1, 1], groups_width=8),
                  preprocessor="image_processor",
                  image_size=32,
              )),
        Model("vit-msn", "vit.ViTOnnxConfig", IMAGE, ort_optimizer="vit",
              tiny=Tiny("ViTMSNConfig", IMAGE_SIZES, preprocessor="image_processor")),
        Model("swinv2", "swin.SwinOnnxConfig", IMAGE + ("masked-im",),
              tiny=Tiny("Swinv2Config", SWIN_SIZES, preprocessor="image_processor")),
        Model("donut-swin", "swin.SwinOnnxConfig", ("default",),
              tiny=Tiny("DonutSwinConfig", SWIN_SIZES, preprocessor="image_processor")),
        Model("vit-mae", "vit_mae.ViTMAEOnnxConfig", ("default",), ort_optimizer="vit",
              tiny=Tiny("ViTMAEConfig", IMAGE_SIZES, preprocessor="image_processor")),
        Model("mgp-str", "mgp_str.MgpstrOnnxConfig", ("default",), ort_optimizer="vit",
              tiny=Tiny(
                  "MgpstrConfig",
                  dict(
                      image_size=[16, 16],
                      patch_size=4,
                      hidden_size=32,
                      num_hidden_layers=2,
                      num_attention_heads=4,
                      mlp_ratio=2.0,
                      max_token_length=5,
                      num_character_labels=10,
                      num_bpe_labels=12,
                      num_wordpiece_labels=14,
                  ),
                  preprocessor="image_processor",
                  image_size=16,
              )),
        Model("clip-vision-model", "clip.CLIPVisionModelOnnxConfig", ("default",), ort_optimizer="clip",
              tiny=Tiny("CLIPVisionConfig", IMAGE_SIZES, **CLIP_IMAGES)),
        Model("siglip-vision-model", "siglip.SiglipVisionModelOnnxConfig", ("default",), ort_optimizer="clip",
              tiny=Tiny("SiglipVisionConfig", IMAGE_SIZES, **SIGLIP_IMAGES)),
        Model("siglip", "siglip.SiglipOnnxConfig", ("default", "zero-shot-image-classification"),
              tiny=Tiny(
                  "SiglipConfig",
                  dict(text_config=CLIP_TEXT_SIZES, vision_config=IMAGE_SIZES),
                  **dict(SIGLIP_IMAGES, preprocessor="tokenizer+image_processor", processor="SiglipProcessor"),
              )),
        Model("metaclip-2", "clip.CLIPOnnxConfig", ("default", "image-classification", "zero-shot-image-classification"),
              tiny=Tiny(
                  "MetaClip2Config",
                  dict(text_config=dict(CLIP_TEXT_SIZES, **BERT_TOKENS), vision_config=IMAGE_SIZES, projection_dim=16),
                  **dict(CLIP_PROCESSOR, processor="CLIPProcessor", bpe_tokenizer=False),
              )),
        Model("colpali", "colpali.ColPaliOnnxConfig", ("default",), model_classes={"default": "ColPaliForRetrieval"},
              tiny=Tiny(
                  "ColPaliConfig",
                  dict(
                      vlm_config=dict(
                          model_type="paligemma",
                          # one patch, so one image token: the matrix randomizes every id but the first and the last
                          vision_config=dict(IMAGE_SIZES, model_type="siglip_vision_model", image_size=10),
                          # the image token is past the tokenizer's vocabulary, as PaliGemma's added <image> is
                          text_config=dict(LLAMA_SIZES, model_type="gemma", vocab_size=VOCAB_SIZE + 1),
                          image_token_index=VOCAB_SIZE,
                          projection_dim=32,
                      ),
                      embedding_dim=16,
                  ),
              )),
        # fmt: on

        # Decoders: newer than transformers.onnx

        Model("arcee", "DecoderOnnxConfig", DECODER, ort_optimizer="gpt2", tiny=Tiny("ArceeConfig", LLAMA_SIZES)),
        Model("cohere", "cohere.CohereOnnxConfig", DECODER, ort_optimizer="gpt2", tiny=Tiny("CohereConfig", LLAMA_SIZES)),
        Model("glm", "cohere.CohereOnnxConfig", DECODER, ort_optimizer="gpt2", tiny=Tiny("GlmConfig", LLAMA_SIZES)),
        Model("helium", "cohere.CohereOnnxConfig", DECODER, ort_optimizer="gpt2", tiny=Tiny("HeliumConfig", LLAMA_SIZES)),
        Model("nemotron", "DecoderOnnxConfig", DECODER, ort_optimizer="gpt2", tiny=Tiny("NemotronConfig", LLAMA_SIZES)),
        Model("smollm3", "DecoderOnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny("SmolLM3Config", LLAMA_SIZES)),
        Model("opt", "DecoderOnnxConfig", DECODER_WITH_CLASSIFIER + ("question-answering",), ort_optimizer="gpt2",
              tiny=Tiny(
                  "OPTConfig",
                  dict(DECODER_SIZES, num_hidden_layers=2, num_attention_heads=4, ffn_dim=64, word_embed_proj_dim=32),
              )),
        Model("mpt", "mpt.MptOnnxConfig", DECODER_WITH_CLASSIFIER + ("token-classification",), ort_optimizer="gpt2",
              tiny=Tiny(
                  "MptConfig",
                  dict(
                      vocab_size=DECODER_SIZES["vocab_size"], d_model=32, n_layers=2, n_heads=4, expansion_ratio=2,
                      max_seq_len=64, pad_token_id=0, bos_token_id=2, eos_token_id=3,
                  ),
              )),
        # A vision tower of one layer and 3 x 3 patches, pooled to 9 image tokens: unused by the text-only graphs (with two
        # layers, the text weights drawn after them gave int4's check a worst cosine of 0.87, below its 0.9).
        Model("gemma3", "gemma3.Gemma3OnnxConfig", DECODER_WITH_CLASSIFIER, ort_optimizer="gpt2",
              tiny=Tiny(
                  "Gemma3Config",
                  dict(
                      text_config=GEMMA3_TEXT_SIZES,
                      vision_config=dict(IMAGE_SIZES, num_hidden_layers=1, model_type="siglip_vision_model"),
                      mm_tokens_per_image=9,
                      vocab_size=VOCAB_SIZE,  # tests/test_generation.py draws prompts below `config.vocab_size`
                  ),
              )),
        Model("qwen3-moe", "qwen3_moe.Qwen3MoeOnnxConfig", DECODER_WITH_CLASSIFIER + ("token-classification",),
              ort_optimizer="qwen3",
              tiny=Tiny("Qwen3MoeConfig", dict(LLAMA_SIZES, **MOE_SIZES, num_experts=4))),
        Model("gpt-oss", "DecoderOnnxConfig", DECODER, ort_optimizer="gpt2",
              fails_on_transformers_4={
                  "*": "compat.traceable_experts refuses it: on the CPU transformers 4.57's gpt-oss loops over the experts"
                  " the traced tokens reach"
              },
              tiny=Tiny(
                  "GptOssConfig",
                  # initializer_range: logits with the margins int4's top-1 check needs (0.02 gave 0.22 agreement)
                  dict(LLAMA_SIZES, num_local_experts=4, num_experts_per_tok=2, sliding_window=16, initializer_range=0.06),
              )),
        # Multi-head latent attention with keys and values of different sizes; experts in every layer.
        Model("deepseek-v3", "deepseek_v3.DeepseekV3OnnxConfig", DECODER, ort_optimizer="gpt2",
              tiny=Tiny(
                  "DeepseekV3Config",
                  dict(
                      DECODER_SIZES, **MOE_SIZES, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=4, n_routed_experts=4, n_shared_experts=1, n_group=1, topk_group=1,
                      first_k_dense_replace=0, q_lora_rank=16, kv_lora_rank=16, qk_nope_head_dim=8, qk_rope_head_dim=8,
                      v_head_dim=12,
                  ),
              )),
        # fmt: on

        # Dense prediction, detection, time series: newer than transformers.onnx

        Model("dpt", "VisionOnnxConfig", ("default", "depth-estimation", "semantic-segmentation"),
              tiny=Tiny(
                  "DPTConfig",
                  dict(
                      hidden_size=32,
                      num_hidden_layers=4,
                      num_attention_heads=4,
                      intermediate_size=64,
                      image_size=32,
                      patch_size=8,
                      backbone_out_indices=[0, 1, 2, 3],
                      neck_hidden_sizes=[8, 16, 16, 32],
                      fusion_hidden_size=16,
                      num_labels=3,
                      initializer_range=0.13,  # the deep heads of 0.02 convolutions make depths of 1e-8
                  ),
                  preprocessor="image_processor",
                  image_processor="DPTImageProcessor",
              )),
        Model("glpn", "glpn.GLPNOnnxConfig", ("default", "depth-estimation"),
              tiny=Tiny(
                  "GLPNConfig",
                  dict(
                      depths=[1, 1, 1, 1],
                      hidden_sizes=[8, 16, 16, 32],
                      num_attention_heads=[1, 2, 2, 4],
                      mlp_ratios=[2, 2, 2, 2],
                      decoder_hidden_size=16,
                      initializer_range=0.1,  # depths that vary around the head's constant (0.02: std 0.01 about 5)
                  ),
                  preprocessor="image_processor",
                  image_size=64,
              )),
        Model("swin2sr", "swin2sr.Swin2SROnnxConfig", ("default", "image-to-image"),
              tiny=Tiny(
                  "Swin2SRConfig",
                  dict(image_size=16, embed_dim=16, depths=[1, 1], num_heads=[2, 2], window_size=4),
                  preprocessor="image_processor",
              )),
        Model("maskformer", "maskformer.MaskFormerOnnxConfig", ("default", "image-segmentation"),
              model_classes={"image-segmentation": "MaskFormerForInstanceSegmentation"},
              tiny=Tiny(
                  "MaskFormerConfig",
                  dict(
                      backbone_config=dict(
                          model_type="swin",
                          image_size=64,
                          embed_dim=16,
                          depths=[1, 1, 1, 1],
                          num_heads=[1, 2, 2, 4],
                          window_size=2,
                          out_features=["stage1", "stage2", "stage3", "stage4"],
                      ),
                      decoder_config=dict(
                          model_type="detr",
                          use_timm_backbone=False,
                          d_model=32,
                          encoder_layers=1,
                          decoder_layers=1,
                          encoder_attention_heads=4,
                          decoder_attention_heads=4,
                          encoder_ffn_dim=64,
                          decoder_ffn_dim=64,
                          num_queries=5,
                      ),
                      fpn_feature_size=32,  # GroupNorm of 32 groups
                      mask_feature_size=32,
                  ),
                  preprocessor="image_processor",
                  image_size=64,
              )),
        Model("rt-detr", "rt_detr.RTDetrOnnxConfig", ("object-detection",),
              tiny=Tiny("RTDetrConfig", dict(RT_DETR_SIZES, backbone_config=RT_DETR_RESNET), **RT_DETR_IMAGES)),
        Model("rt-detr-v2", "rt_detr.RTDetrOnnxConfig", ("object-detection",),
              tiny=Tiny("RTDetrV2Config", dict(RT_DETR_SIZES, backbone_config=RT_DETR_RESNET), **RT_DETR_IMAGES)),
        Model("d-fine", "rt_detr.RTDetrOnnxConfig", ("object-detection",),
              tiny=Tiny(
                  "DFineConfig",
                  dict(
                      RT_DETR_SIZES,
                      encoder_in_channels=[16, 32, 32],
                      lqe_hidden_dim=8,
                      initializer_range=0.1,  # its encoder's features grow past 1e6 at 0.3
                      backbone_config=dict(
                          model_type="hgnet_v2",
                          stem_channels=[3, 8, 8],
                          stage_in_channels=[8, 16, 16, 32],
                          stage_mid_channels=[8, 8, 16, 16],
                          stage_out_channels=[16, 16, 32, 32],
                          stage_num_blocks=[1, 1, 1, 1],
                          stage_numb_of_layers=[1, 1, 1, 1],
                          hidden_sizes=[16, 16, 32, 32],
                          depths=[1, 1, 1, 1],
                          out_indices=[2, 3, 4],
                          initializer_range=0.3,  # features of 1e-9 at 0.02 (its batch norms' weights)
                      ),
                  ),
                  **RT_DETR_IMAGES,
              )),
        Model("vitpose", "vitpose.VitPoseOnnxConfig", ("keypoint-detection",),
              model_classes={"keypoint-detection": "VitPoseForPoseEstimation"},
              tiny=Tiny(
                  "VitPoseConfig",
                  dict(
                      backbone_config=dict(
                          model_type="vitpose_backbone",
                          image_size=[32, 24],
                          patch_size=[8, 8],
                          hidden_size=32,
                          num_hidden_layers=2,
                          num_attention_heads=4,
                          mlp_ratio=2,
                          out_indices=[2],
                      ),
                      num_labels=5,
                  ),
                  preprocessor="image_processor",
                  image_processor="VitPoseImageProcessor",
                  image_size=32,
              )),
        Model("patchtst", "patchtst.PatchTSTOnnxConfig", ("default", "time-series-forecasting"),
              model_classes={"time-series-forecasting": "PatchTSTForPrediction"},
              tiny=Tiny(
                  "PatchTSTConfig",
                  dict(TIME_SERIES_SIZES, num_hidden_layers=2, num_attention_heads=4, ffn_dim=32),
                  preprocessor="",
              )),
        Model("patchtsmixer", "patchtst.PatchTSTOnnxConfig", ("default", "time-series-forecasting"),
              model_classes={"time-series-forecasting": "PatchTSMixerForPrediction"},
              tiny=Tiny("PatchTSMixerConfig", dict(TIME_SERIES_SIZES, num_layers=2), preprocessor="")),
        Model("decision-transformer", "decision_transformer.DecisionTransformerOnnxConfig",
              ("default", "reinforcement-learning"),
              tiny=Tiny(
                  "DecisionTransformerConfig",
                  dict(
                      state_dim=5,
                      act_dim=3,
                      hidden_size=32,
                      max_ep_len=64,
                      n_positions=64,
                      n_layer=2,
                      n_head=4,
                      n_inner=64,
                  ),
                  preprocessor="",
              )),
        Model("owlv2", "owlvit.OwlViTOnnxConfig", ("default", "zero-shot-object-detection"),
              tiny=Tiny(
                  "Owlv2Config",
                  # detection compares the text embeddings with the projected image ones: projection_dim = text width
                  dict(text_config=CLIP_TEXT_SIZES, vision_config=IMAGE_SIZES, projection_dim=32),
                  **dict(
                      CLIP_PROCESSOR,
                      processor="Owlv2Processor",
                      image_processor="Owlv2ImageProcessor",
                      image_processor_kwargs={},
                  )
              )),
        Model("sam", "sam.SamOnnxConfig", ("default", "mask-generation"),
              tiny=Tiny(
                  "SamConfig",
                  dict(
                      vision_config=dict(
                          hidden_size=32,
                          output_channels=16,
                          num_hidden_layers=2,
                          num_attention_heads=4,
                          image_size=32,
                          patch_size=8,
                          window_size=2,
                          global_attn_indexes=[1],
                          mlp_dim=64,
                          num_pos_feats=8,
                          initializer_range=0.3,  # its default of 1e-10 and 0.02 below: masks of 1e-5
                      ),
                      prompt_encoder_config=dict(hidden_size=16, image_size=32, patch_size=8, mask_input_channels=4),
                      mask_decoder_config=dict(
                          hidden_size=16, mlp_dim=32, num_hidden_layers=2, num_attention_heads=2, iou_head_hidden_dim=16
                      ),
                      initializer_range=0.3,
                  ),
                  preprocessor="",
              )),
        # fmt: on

        # fmt: on
    )
}

