"""`python -m oreledger_station` is `oreledger-station`."""

import sys

from oreledger_station.cli import main

sys.exit(main())
