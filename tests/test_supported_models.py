"""docs/supported-models.md is current: every registry pair has a row in every column, and the table is the
rendering of docs/supported-models.json. (`make test` also checks each column against the outcomes of the run
that made it: `python tests/supported_models.py --check .results/*.json`.)"""

import json

from supported_models import DATA_FILE, TABLE_FILE, registry_pairs, render


def test_supported_models_table_is_current():
    stored = json.loads(DATA_FILE.read_text())
    for column in stored.values():
        assert sorted(column["cells"]) == sorted(registry_pairs()), f"the {column['title']} column is stale: run `make supported-models`"
    assert TABLE_FILE.read_text() == render(stored), "docs/supported-models.md is stale: run `make supported-models`"
