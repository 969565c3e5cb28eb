"""Greedy generation through an exported `causal-lm-with-past` graph gives the tokens of `model.generate`.

The first step runs the with-past graph on the whole prompt with an empty past (length 0); each later step
feeds one token and the `present.*` outputs back as `past_key_values.*`. The graph is traced at past > 0 and
sequence > 1 (the dummy inputs), so this also checks that it runs correctly at past 0 and at sequence 1.
"""

import numpy as np
import pytest
import torch
from onnxruntime import InferenceSession

from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import main

FEATURE = "causal-lm-with-past"
NEW_TOKENS = 10


@pytest.fixture(scope="module")
def exported(tiny_checkpoint, tmp_path_factory):
    """Factory: (model, onnx config, onnxruntime session) of a tiny model's exported with-past graph."""
    built = {}

    def export(model_type: str):
        if model_type not in built:
            checkpoint = tiny_checkpoint(model_type, FEATURE)
            output = tmp_path_factory.mktemp(f"{model_type}-generation")
            assert main(["--model", str(checkpoint), "--feature", FEATURE, str(output)]) == 0
            model_class = FeaturesManager.get_model_class_for_model_type(model_type, FEATURE)
            model = model_class.from_pretrained(checkpoint).eval()
            onnx_config = FeaturesManager.get_config(model_type, FEATURE)(model.config)
            session = InferenceSession((output / "model.onnx").as_posix(), providers=["CPUExecutionProvider"])
            built[model_type] = model, onnx_config, session
        return built[model_type]

    return export


def greedy_onnx(session: InferenceSession, onnx_config, input_ids: np.ndarray, new_tokens: int) -> np.ndarray:
    """Greedy decoding with the with-past graph, starting from an empty past."""
    batch = input_ids.shape[0]
    empty = np.zeros((batch, onnx_config.num_key_value_heads, 0, onnx_config.head_dim), dtype=np.float32)
    past = {name: empty for name in onnx_config.inputs if name.startswith("past_key_values.")}
    attention_mask = np.ones_like(input_ids)
    step_ids, generated = input_ids, []
    for _ in range(new_tokens):
        outputs = dict(
            zip(onnx_config.outputs, session.run(None, {"input_ids": step_ids, "attention_mask": attention_mask, **past}))
        )
        next_ids = outputs["logits"][:, -1].argmax(-1)
        generated.append(next_ids)
        past = {name.replace("present.", "past_key_values.", 1): value for name, value in outputs.items() if name != "logits"}
        step_ids = next_ids[:, None]
        attention_mask = np.concatenate([attention_mask, np.ones((batch, 1), dtype=attention_mask.dtype)], axis=1)
    return np.stack(generated, axis=1)


@pytest.mark.parametrize("model_type", ["gpt2", "llama"])
@pytest.mark.parametrize("prompt_length", [1, 6])
def test_greedy_loop_matches_generate(model_type, prompt_length, exported):
    model, onnx_config, session = exported(model_type)
    input_ids = torch.randint(5, model.config.vocab_size, (2, prompt_length), generator=torch.Generator().manual_seed(0))
    model.generation_config.eos_token_id = None  # always generate NEW_TOKENS tokens, as the loop does
    with torch.no_grad():
        expected = model.generate(
            input_ids, attention_mask=torch.ones_like(input_ids), do_sample=False, max_new_tokens=NEW_TOKENS
        )[:, prompt_length:]
    got = greedy_onnx(session, onnx_config, input_ids.numpy(), NEW_TOKENS)
    np.testing.assert_array_equal(got, expected.numpy())
