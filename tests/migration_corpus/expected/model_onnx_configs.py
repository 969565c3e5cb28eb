"""OnnxConfig classes imported from where transformers 4.x kept them."""
import transformers_onnx
from transformers import AutoConfig
from transformers_onnx.models.bert import BertOnnxConfig
from transformers_onnx.models.gpt2 import GPT2OnnxConfig
from transformers.models.distilbert import DistilBertConfig
from transformers_onnx.models.distilbert import DistilBertOnnxConfig
from transformers.models.roberta.configuration_roberta import RobertaConfig
from transformers_onnx.models.roberta import RobertaOnnxConfig as Roberta
from transformers_onnx.models.t5 import T5OnnxConfig
from transformers_onnx.models.vision_encoder_decoder import VisionEncoderDecoderOnnxConfig
import transformers_onnx as legacy_onnx


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
        "features": transformers_onnx.FeaturesManager,
        "same": legacy_onnx.OnnxConfig is transformers_onnx.OnnxConfig,
    }


if __name__ == "__main__":
    print(describe()["distilbert"])
