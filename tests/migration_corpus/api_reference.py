"""Every public name of the transformers.onnx API reference, imported the ways the reference spells them."""

from transformers.onnx import (
    EXTERNAL_DATA_FORMAT_SIZE_LIMIT,
    FeaturesManager,
    OnnxConfig,
    OnnxConfigWithPast,
    OnnxSeq2SeqConfigWithPast,
    ParameterFormat,
    PatchingSpec,
    compute_serialized_parameters_size,
    export,
    validate_model_outputs,
)
from transformers.onnx.config import OnnxConfig as ConfigOnnxConfig, PatchingSpec as ConfigPatchingSpec
from transformers.onnx.convert import (
    check_onnxruntime_requirements,
    ensure_model_and_config_inputs_match,
    export_pytorch,
    export_tensorflow,
)
from transformers.onnx.convert import export as convert_export, validate_model_outputs as convert_validate
from transformers.onnx.features import FeaturesManager as FeaturesFeaturesManager
from transformers.onnx.utils import (
    ParameterFormat as UtilsParameterFormat,
    compute_effective_axis_dimension,
    compute_serialized_parameters_size as utils_size,
    get_preprocessor,
)

PUBLIC = {
    "transformers.onnx": [
        EXTERNAL_DATA_FORMAT_SIZE_LIMIT, OnnxConfig, OnnxConfigWithPast, OnnxSeq2SeqConfigWithPast, PatchingSpec,
        export, validate_model_outputs, FeaturesManager, ParameterFormat, compute_serialized_parameters_size,
    ],
    "transformers.onnx.config": [ConfigOnnxConfig, ConfigPatchingSpec],
    "transformers.onnx.convert": [
        check_onnxruntime_requirements, convert_export, export_pytorch, export_tensorflow, convert_validate,
        ensure_model_and_config_inputs_match,
    ],
    "transformers.onnx.features": [FeaturesFeaturesManager],
    "transformers.onnx.utils": [
        UtilsParameterFormat, compute_effective_axis_dimension, utils_size, get_preprocessor,
    ],
}

if __name__ == "__main__":
    assert ConfigOnnxConfig is OnnxConfig and FeaturesFeaturesManager is FeaturesManager
    assert ParameterFormat.Float.size == 4
    assert compute_effective_axis_dimension(-1, fixed_dimension=2, num_token_to_add=0) == 2
    print(sum(len(names) for names in PUBLIC.values()), "public names imported")
