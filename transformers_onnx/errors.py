"""One exception type per kind of user mistake. Each message says what to do; the CLI prints it on one line.

Every type also derives from the built-in exception the legacy `transformers.onnx` raised in the same
situation, so `except ValueError:` in an old script still catches it.
"""


class TransformersOnnxError(Exception):
    """Base of the errors this package raises for bad input."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ModelLoadError(TransformersOnnxError, OSError):
    """The model or its config cannot be loaded: missing folder, no config.json, uncached hub id, bad weights."""


class UnsupportedModelError(TransformersOnnxError, KeyError):
    """The model type has no ONNX config."""


class UnsupportedFeatureError(TransformersOnnxError, ValueError):
    """The model type does not support the requested feature."""


class FrameworkError(TransformersOnnxError, RuntimeError):
    """The requested framework is not installed or does not match the checkpoint."""


class PreprocessorError(TransformersOnnxError, ValueError):
    """No usable tokenizer, image processor, feature extractor or processor."""


class OutputPathError(TransformersOnnxError, OSError):
    """The output location is not a writable folder."""


class OpsetError(TransformersOnnxError, ValueError):
    """The requested opset cannot export this model."""


class ExportError(TransformersOnnxError, RuntimeError):
    """The exporter failed on this model."""


class ValidationError(TransformersOnnxError, ValueError):
    """The ONNX model's outputs differ from the framework's."""


class OptimizationError(TransformersOnnxError, ValueError):
    """`--optimize` was asked for a model family onnxruntime's transformer optimizer does not know."""


def first_line(error: BaseException) -> str:
    """The first line of an exception's message (its type name when the message is empty)."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
