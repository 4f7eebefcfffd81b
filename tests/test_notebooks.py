"""Every notebook runs top to bottom against today's code, and is committed with its outputs cleared."""

import json
import os
from pathlib import Path

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_has_no_outputs(path: Path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code_cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert all(not cell["outputs"] and cell["execution_count"] is None for cell in code_cells), "clear the outputs"
    namespace: dict[str, object] = {}
    previous = os.getcwd()
    os.chdir(path.parent)  # as Jupyter would
    try:
        for number, cell in enumerate(code_cells, start=1):
            exec(compile("".join(cell["source"]), f"{path.name}, code cell {number}", "exec"), namespace)
    finally:
        os.chdir(previous)
