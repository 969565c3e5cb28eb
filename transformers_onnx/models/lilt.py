"""LiLT: token ids, bounding boxes and attention mask (its RoBERTa tokenizer makes no token type ids)."""

from .layoutlm import LayoutLMOnnxConfig


class LiltOnnxConfig(LayoutLMOnnxConfig):
    """LiLT: LayoutLM's inputs without token type ids."""

    text_inputs = ("input_ids", "bbox", "attention_mask")
