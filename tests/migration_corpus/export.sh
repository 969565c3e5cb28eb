#!/usr/bin/env bash
# Export a checkpoint and its sequence-classification head with the transformers.onnx CLI.
set -euo pipefail

MODEL="${MODEL:-distilbert-base-uncased}"
OUT="${OUT:-onnx}"

pip install --quiet "transformers[onnx]" 2>/dev/null || true
python -m transformers.onnx --model="$MODEL" "$OUT/default/"
python3 -m transformers.onnx --model="$MODEL" --feature=sequence-classification \
    --atol 1e-4 "$OUT/sequence-classification/"
python -m transformers.onnx_tools --version 2>/dev/null || echo "transformers.onnx_tools is another tool"
python -c "from transformers.onnx import FeaturesManager; print(FeaturesManager.get_supported_features_for_model_type('distilbert'))"
ls "$OUT"/*/model.onnx
