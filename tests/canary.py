"""The canary (`make canary`): this package on the newest releases of everything setup.py admits, against the locks.

`make canary` installs the package into a fresh .venv/canary with nothing pinned (torch included: the newest
release, a CUDA build that runs on the CPU), then runs this script in it, which

1. prints every package it installed whose version differs from the locks of the stacks CI runs on the newest releases
   (locks/transformers5.txt, locks/torch-newest.txt): `name  locked → newest`, the key packages always; and the
   newest release of each package setup.py caps below it (`HELD_BACK`), so that a cap is lifted once it can be;
2. runs the given pytest arguments (the Makefile's CANARY_TESTS: the drift test, the sample matrix and the int8
   MiniLM quality bar) and prints what failed;
3. exits with pytest's code: 0 is green, and the locks can move (`make locks`, then `make test`, in a commit of
   their own); anything else names what a release broke, before any user meets it.

    python tests/canary.py tests/test_drift.py ...    # inside the canary's virtualenv
"""

import re
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

LOCKS = Path(__file__).parents[1] / "locks"
#: The locks of the stacks that take the newest releases; the newest version either locks is the baseline.
NEWEST_STACKS = ("transformers5", "torch-newest")
#: Printed whether they moved or not.
KEY_PACKAGES = (
    "transformers", "torch", "onnx", "onnxruntime", "onnxscript", "tokenizers", "huggingface-hub", "safetensors",
    "kernels", "numpy",
)
#: What no lock holds: the package itself (installed editable).
UNLOCKED = ("transformers-onnx",)
#: Packages setup.py caps below their newest release, with why (setup.py says more).
HELD_BACK = {"ml-dtypes": "its 0.7.0 took 0.55 s to import, on every export (setup.py: ML_DTYPES)"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> dict[str, str]:
    """`name==version` lines of a lock, by normalized name."""
    pins = {}
    for line in path.read_text().splitlines():
        name, _, pinned = line.partition("==")
        if pinned and not line.startswith("#"):
            pins[normalized(name)] = pinned.strip()
    return pins


def locked_versions() -> dict[str, str]:
    from packaging.version import Version

    locked = {}
    for stack in NEWEST_STACKS:
        for name, pinned in read_lock(LOCKS / f"{stack}.txt").items():
            if name not in locked or Version(pinned) > Version(locked[name]):
                locked[name] = pinned
    return locked


def installed_versions() -> dict[str, str]:
    return {normalized(dist.metadata["Name"]): dist.version for dist in distributions() if dist.metadata["Name"]}


def version_table(locked: dict[str, str], installed: dict[str, str]) -> list[str]:
    """One line per key package and per installed package whose version moved (or that no lock holds)."""
    names = sorted(installed, key=lambda name: (name not in KEY_PACKAGES, name))
    rows = []
    for name in names:
        old, new = locked.get(name, "—"), installed.get(name, "—")
        if name in UNLOCKED or (old == new and name not in KEY_PACKAGES):
            continue
        rows.append(f"  {name:28} {old:>14} → {new:<14}{'' if old == new else '  moved'}")
    return rows


def held_back_lines(installed: dict[str, str]) -> list[str]:
    """One line per `HELD_BACK` package: the version installed, the newest on the index, and why it is capped."""
    rows = []
    for name, reason in HELD_BACK.items():
        listed = subprocess.run(
            [sys.executable, "-m", "pip", "index", "versions", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        ).stdout
        newest = re.search(r"\(([^)]+)\)", listed)
        newest_text = newest.group(1) if newest else "not known (no index)"
        rows.append(f"  held back: {name} {installed.get(name, '—')}, newest {newest_text}: {reason}")
    return rows


def main(pytest_args: list[str]) -> int:
    print("canary: the newest releases against locks/" + ", locks/".join(f"{s}.txt" for s in NEWEST_STACKS))
    installed = installed_versions()
    print("\n".join(version_table(locked_versions(), installed) + held_back_lines(installed)), flush=True)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", *pytest_args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines = run.stdout.splitlines()
    failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    print("\n".join(failed or lines[-1:]))
    print(f"canary: {'green' if run.returncode == 0 else 'RED'} ({lines[-1].strip('= ') if lines else 'no output'})")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
