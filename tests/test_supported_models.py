"""docs/supported-models.md is current: it lists every registry pair, and this stack's columns match
what the registry and the declared known failures say now."""

import json

from supported_models import DATA_FILE, TABLE_FILE, columns_of_this_stack, registry_pairs, render


def test_supported_models_table_is_current():
    stored = json.loads(DATA_FILE.read_text())
    for stack, column in columns_of_this_stack().items():
        assert stored.get(stack) == column, f"the {stack} column is stale: run `make supported-models`"
    for stack, column in stored.items():
        assert sorted(column) == sorted(registry_pairs()), f"the {stack} column is stale: run `make supported-models`"
    assert TABLE_FILE.read_text() == render(stored), "docs/supported-models.md is stale: run `make supported-models`"
