"""Decision Transformer: a trajectory of states, actions, returns to go and timesteps in; the next predictions out.
No preprocessor."""

import copy
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import OnnxConfig
from ..utils import compute_effective_axis_dimension

_TRAJECTORY_AXES = {0: "batch", 1: "sequence"}


class DecisionTransformerOnnxConfig(OnnxConfig):
    """Decision Transformer: `states` (batch, sequence, state_dim), `actions` (batch, sequence, act_dim),
    `returns_to_go` (batch, sequence, 1), `timesteps` and `attention_mask` (batch, sequence); the rewards the forward
    also takes are unused. Its hidden states interleave return, state and action: 3 per step.

    The dummy trajectory is made from the model's config (noise and consecutive timesteps, seeded by its shape).
    """

    needs_preprocessor = False
    atol_for_validation = 1e-4

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        names = ("states", "actions", "returns_to_go", "timesteps", "attention_mask")
        return OrderedDict((name, dict(_TRAJECTORY_AXES)) for name in names)

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        """Both features (the base model has the prediction heads, as in optimum): the predicted states, actions and
        returns, and the hidden states."""
        outputs = copy.deepcopy(self._tasks_to_common_outputs["reinforcement-learning"])
        outputs["last_hidden_state"] = {0: "batch", 1: "3 * sequence"}
        return outputs

    def generate_dummy_inputs(
        self, preprocessor=None, batch_size: int = -1, seq_length: int = -1, framework=None, **kwargs
    ) -> Mapping[str, Any]:
        from transformers import BatchEncoding

        batch = compute_effective_axis_dimension(batch_size, fixed_dimension=OnnxConfig.default_fixed_batch)
        sequence = compute_effective_axis_dimension(seq_length, fixed_dimension=OnnxConfig.default_fixed_sequence)
        rng = np.random.default_rng(batch * 1000 + sequence)
        max_ep_len = self._config.max_ep_len
        start = rng.integers(0, max(max_ep_len - sequence, 1), (batch, 1))
        inputs = {
            "states": rng.standard_normal((batch, sequence, self._config.state_dim), dtype=np.float32),
            "actions": rng.uniform(-1, 1, (batch, sequence, self._config.act_dim)).astype(np.float32),
            "returns_to_go": rng.standard_normal((batch, sequence, 1), dtype=np.float32),
            "timesteps": (start + np.arange(sequence)) % max_ep_len,
            "attention_mask": np.ones((batch, sequence), dtype=np.int64),
        }
        return dict(BatchEncoding(inputs, tensor_type=framework))
