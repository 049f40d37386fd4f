"""The demo's misbehaviour: which of the station simulator's anomaly kinds it turns on, how often.

`oreledger demo` passes these to `oreledger simulate-stations --anomaly KIND=RATE …` (a child
process, so the demo imports nothing of the simulator), and the demo raises real alerts.
The kinds themselves live with the simulator (`simulator.anomalies`).
"""

from __future__ import annotations

# docs/reference/rules.md kinds and a realistic small share of trips for each (rates per trip).
DEMO_RATES = {
    "overload": 0.01,
    "inflated_tare": 0.005,
    "discrepancy": 0.005,
    "unweighed_departure": 0.003,
    "cloned_plate": 0.003,
    "night_weighing": 0.005,
    "no_waybill": 0.003,
    "double_weighing": 0.003,
    "lost_in_transit": 0.003,
}


def demo_specs(scale: float = 1.0) -> list[str]:
    """`--anomaly` arguments for every kind at its realistic demo rate."""
    return [f"{kind}={rate * scale:g}" for kind, rate in DEMO_RATES.items()]
