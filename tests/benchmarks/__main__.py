"""Run every benchmark module (or those named on the command line); see the package docstring."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path


def modules(names: list[str]) -> list[str]:
    found = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if info.name.startswith("bench_")
    )
    return [name for name in found if not names or any(part in name for part in names)]


def main(argv: list[str]) -> int:
    failed = 0
    for name in modules(argv):
        try:
            result = importlib.import_module(f"{__package__}.{name}").main()
            if isinstance(result, Iterable):
                for row in result:
                    print(json.dumps(row, ensure_ascii=False), flush=True)
        except Exception as error:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            print(json.dumps({"benchmark": name, "error": repr(error)}), flush=True)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
