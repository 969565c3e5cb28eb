"""ERNIE: the BERT inputs plus task type ids."""

from collections.abc import Mapping
from typing import Any

from ..config import TextEncoderOnnxConfig


class ErnieOnnxConfig(TextEncoderOnnxConfig):
    """ERNIE: also takes `task_type_ids` (tokenizers do not make them: the dummy ones are all task 0).

    Not for multiple-choice: `ErnieForMultipleChoice` does not flatten `task_type_ids` with the other inputs
    (transformers 4.57 and 5.x), so that graph leaves them out and the model uses task 0.
    """

    @property
    def text_inputs(self) -> tuple[str, ...]:
        names = ("input_ids", "attention_mask", "token_type_ids", "task_type_ids")
        return names[:3] if self.task == "multiple-choice" else names

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        inputs["task_type_ids"] = inputs["input_ids"] * 0
        return self.declared_inputs(inputs)
