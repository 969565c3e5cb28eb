"""One module per legacy `transformers.models.<name>` package, holding that model's `XxxOnnxConfig`.

Each declares only what differs from the base classes in `transformers_onnx.config`.
"""
