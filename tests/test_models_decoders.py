"""The decoders family beyond the registry matrix: a mixture-of-experts graph routes each token when it runs, not
as the tokens it was traced with were routed.

A graph that froze the routing of its trace (transformers' loop over the experts that the traced tokens reach) runs
only where the tokens reach the same experts: it fails where they reach others, or more or fewer of them."""

import pytest
import torch

from test_models import assert_graph_matches, varied_inputs
from tiny_models import known_failure
from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import _load_preprocessor, main
from transformers_onnx.compat import bind_inputs, cache_from_tensors

MIXTURES_OF_EXPERTS = ("qwen3-moe", "gpt-oss", "deepseek-v3")
#: (batch, sequence) of random tokens, where the export traced (2, 8) copies of one token: few tokens, which reach
#: fewer experts, and many, which reach every one (the first whose tokens reach other experts than the traced ones
#: is validated, and the last).
OTHER_SHAPES = [(1, 3), (2, 3), (1, 4), (2, 4), (1, 5), (3, 11)]


def _case(model_type: str, feature: str):
    reason = known_failure(model_type, feature)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(model_type, feature, id=f"{model_type}:{feature}", marks=marks)


def experts_reached(model, inputs) -> dict[int, frozenset[int]]:
    """The experts that each router (a module `mlp.gate` or `mlp.router`) sends some token of `inputs` to, read from
    the indices it returns, or the top k of its logits where it returns only those (transformers 4's Qwen3-MoE)."""
    top_k = model.config.num_experts_per_tok
    reached = {}

    def record(router: int):
        def hook(module, args, output):
            if isinstance(output, tuple):
                experts = next(tensor for tensor in output if not tensor.is_floating_point())
            else:
                experts = output.topk(top_k, dim=-1).indices
            reached[router] = frozenset(experts.flatten().tolist())

        return hook

    routers = [module for name, module in model.named_modules() if name.endswith(("mlp.gate", "mlp.router"))]
    assert routers, f"no router found in {type(model).__name__}"
    handles = [module.register_forward_hook(record(index)) for index, module in enumerate(routers)]
    inputs = dict(inputs)
    if "past_key_values" in inputs:
        inputs["past_key_values"] = cache_from_tensors(inputs["past_key_values"])
    parameter_of = bind_inputs(model.forward, inputs)
    try:
        with torch.no_grad():
            model(**{parameter_of[name]: value for name, value in inputs.items()})
    finally:
        for handle in handles:
            handle.remove()
    return reached


@pytest.mark.parametrize(
    "model_type,feature",
    [_case(model_type, feature) for model_type in MIXTURES_OF_EXPERTS for feature in ("causal-lm", "causal-lm-with-past")],
)
def test_experts_are_chosen_when_the_graph_runs(model_type, feature, tiny_checkpoint, tmp_path):
    """The graph matches PyTorch at inputs whose tokens reach other experts than the traced ones did."""
    checkpoint = tiny_checkpoint(model_type, feature)
    assert main(["--model", str(checkpoint), "--feature", feature, str(tmp_path)]) == 0
    model_class = FeaturesManager.get_model_class_for_model_type(model_type, feature)
    model = model_class.from_pretrained(checkpoint, attn_implementation="eager").eval()  # as the CLI traces it
    onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
    tokenizer = _load_preprocessor("auto", str(checkpoint))

    traced = experts_reached(model, onnx_config.generate_dummy_inputs(tokenizer, framework="pt"))
    other = next(
        (shape for shape in OTHER_SHAPES if experts_reached(model, varied_inputs(onnx_config, tokenizer, *shape)) != traced),
        None,
    )
    assert other, f"the tokens of every shape reach the traced experts: {traced}"
    assert_graph_matches(tmp_path / "model.onnx", model, onnx_config, tokenizer, shapes=[other, OTHER_SHAPES[-1]])
