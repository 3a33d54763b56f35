"""`python src` runs the Phoenix command line."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from phoenix_judge.cli import main  # noqa: E402

sys.exit(main())
