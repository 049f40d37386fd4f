"""Pages of trade: the market (market.py) and contracts with their approval (contracts.py)."""
