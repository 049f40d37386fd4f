"""Pages of alerts: alerts (alerts.py), enforcement cases (cases.py), rule thresholds (rules.py)."""
