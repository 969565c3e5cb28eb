"""OnnxConfig classes imported from where transformers 4.x kept them."""
import transformers.onnx
from transformers import AutoConfig, BertOnnxConfig, GPT2OnnxConfig
from transformers.models.distilbert import DistilBertConfig, DistilBertOnnxConfig
from transformers.models.roberta.configuration_roberta import RobertaConfig, RobertaOnnxConfig as Roberta
from transformers.models.t5.configuration_t5 import T5OnnxConfig
from transformers.models.vision_encoder_decoder import VisionEncoderDecoderOnnxConfig
from transformers import onnx as legacy_onnx


def describe() -> dict:
    """The input names of a few ready-made configs."""
    config = DistilBertConfig(vocab_size=99, dim=32, n_layers=1, n_heads=2, hidden_dim=37)
    return {
        "distilbert": list(DistilBertOnnxConfig(config).inputs),
        "roberta": list(Roberta(RobertaConfig()).inputs),
        "bert-base": BertOnnxConfig,
        "gpt2": GPT2OnnxConfig,
        "t5": T5OnnxConfig,
        "ved": VisionEncoderDecoderOnnxConfig,
        "auto": AutoConfig,
        "features": transformers.onnx.FeaturesManager,
        "same": legacy_onnx.OnnxConfig is transformers.onnx.OnnxConfig,
    }


if __name__ == "__main__":
    print(describe()["distilbert"])
