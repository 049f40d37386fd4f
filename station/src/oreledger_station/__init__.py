"""oreledger-station: the weighbridge station agent (称重终端) of the oreledger platform."""

__version__ = "0.1.0"
