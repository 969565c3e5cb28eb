"""The Python API as transformers' own tests of the legacy package (`tests/onnx/test_onnx_v2.py`) call it: a
model made with `from_config`, `export` at the config's default opset, then `validate_model_outputs` at the
config's tolerance; the graph then matches the model at other shapes. TensorFlow models: tests/test_tensorflow.py.
"""

import numpy as np
import pytest
import torch
from onnxruntime import InferenceSession

from transformers_onnx import FeaturesManager, export, validate_model_outputs
from transformers_onnx.config import flatten_outputs
from transformers_onnx.utils import get_preprocessor

OTHER_SHAPES = [(1, 5), (4, 17)]  # (batch, sequence)


@pytest.mark.parametrize("feature", ["default", "image-classification"])
def test_imagegpt(feature, tiny_checkpoint, tmp_path):
    """ImageGPT, whose tiny heads of 8 scale attention by √8, which transformers 4.57's eager attention truncates."""
    from transformers import AutoConfig

    checkpoint = tiny_checkpoint("imagegpt", feature)
    torch.manual_seed(0)
    model = FeaturesManager.get_model_class_for_feature(feature).from_config(AutoConfig.from_pretrained(checkpoint))
    onnx_config = FeaturesManager.get_config("imagegpt", feature)(model.config)
    preprocessor = get_preprocessor(str(checkpoint))
    onnx_file = tmp_path / "model.onnx"

    _, onnx_outputs = export(preprocessor, model, onnx_config, onnx_config.default_onnx_opset, onnx_file)
    validate_model_outputs(onnx_config, preprocessor, model, onnx_file, onnx_outputs, onnx_config.atol_for_validation)

    assert onnx_outputs == list(onnx_config.outputs)
    session = InferenceSession(onnx_file.as_posix(), providers=["CPUExecutionProvider"])
    generator = torch.Generator().manual_seed(1)
    for batch, sequence in OTHER_SHAPES:
        input_ids = torch.randint(0, model.config.vocab_size - 1, (batch, sequence), generator=generator)
        with torch.no_grad():
            expected = flatten_outputs(onnx_config, model.eval()(input_ids=input_ids))
        got = session.run(None, {"input_ids": input_ids.numpy()})
        for name, value in zip(onnx_config.outputs, got):
            reference = expected[name].numpy()
            assert value.shape == reference.shape, name
            np.testing.assert_allclose(value, reference, atol=onnx_config.atol_for_validation, rtol=0,
                                       err_msg=f"{name} at {batch}x{sequence}")
