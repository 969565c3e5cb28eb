"""ERNIE: the BERT inputs plus task type ids."""

from ..config import TextEncoderOnnxConfig


class ErnieOnnxConfig(TextEncoderOnnxConfig):
    """ERNIE: also takes `task_type_ids`."""

    text_inputs = ("input_ids", "attention_mask", "token_type_ids", "task_type_ids")
