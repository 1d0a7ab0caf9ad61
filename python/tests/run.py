#!/usr/bin/python3
"""Runs the pytest suite of the Python package (python/tests) from ctest.

    /usr/bin/python3 python/tests/run.py [test_file.py ...] --cli build/ttcgames --inputs inputs --scratch /tmp/x
                                         [--golden paper.h5] [pytest options]

Exit status: pytest's (0 when every test passes), or 77 (skipped) when pytest or a dependency of the package
(numpy, h5py, pandas, xarray) is missing: install python3-pytest python3-numpy python3-h5py python3-pandas
python3-xarray (Debian; scripts/setup.sh does) and run with /usr/bin/python3.
"""

import os
import sys

try:
    import h5py  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pytest
    import xarray  # noqa: F401
except ImportError as error:
    print(f"SKIP: {error} (install python3-pytest python3-numpy python3-h5py python3-pandas python3-xarray)")
    sys.exit(77)

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    # Test files named on the command line (test_read.py, ...) run alone; by default every test here runs.
    files = [os.path.join(here, a) for a in sys.argv[1:] if a.endswith(".py")]
    options = [a for a in sys.argv[1:] if not a.endswith(".py")]
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-o", "console_output_style=classic", "--rootdir", here,
                          *(files or [here]), *options]))
