"""The workbook writer loads openpyxl without numpy (app/core/spreadsheets.py), and a workbook
keeps its numbers as numbers whether numpy is loaded or not.

Run in a fresh interpreter: this test process has long had numpy (pandas, the charts)."""

from __future__ import annotations

import subprocess
import sys

from tests.bench.harness import ROOT

PROBE = """
import io, sys, threading
from app.core.spreadsheets import Sheet, openpyxl, read_table, to_xlsx
openpyxl()
print("numpy loaded with openpyxl:", "numpy" in sys.modules)
import numpy  # a later report (pandas, a chart) loads it: the writer still works
book = openpyxl().load_workbook(io.BytesIO(to_xlsx([Sheet(
    "Figures", [["Band", "People", "Share"], ["16 to 17", numpy.int64(12), numpy.float64(0.25)],
                ["18 to 20", 30, 0.5]])])))
sheet = book["Figures"]
print("cells:", [[c.value for c in row] for row in sheet.iter_rows(min_row=2)])
print("types:", [c.data_type for c in sheet[3]])
"""


def test_openpyxl_loads_without_numpy_and_numbers_stay_numbers():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "numpy loaded with openpyxl: False" in done.stdout
    # numpy's float is a float; numpy's integer is written as its text, as before (_xlsx_cell)
    assert "cells: [['16 to 17', '12', 0.25], ['18 to 20', 30, 0.5]]" in done.stdout
    assert "types: ['s', 'n', 'n']" in done.stdout


def test_numpy_imports_in_another_thread_while_openpyxl_loads():
    probe = """
import sys, threading
from app.core import spreadsheets
found = {}
def other():
    import numpy
    found["numpy"] = numpy.__name__
spreadsheets._NO_NUMPY.loading.openpyxl = True  # this thread is loading openpyxl
sys.meta_path.insert(0, spreadsheets._NO_NUMPY)
try:
    try:
        import numpy
        print("refused here: no")
    except ImportError:
        print("refused here: yes")
    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
finally:
    sys.meta_path.remove(spreadsheets._NO_NUMPY)
print("other thread:", found.get("numpy"))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refused here: yes" in done.stdout
    assert "other thread: numpy" in done.stdout
