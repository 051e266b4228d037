"""mbcalc: exact Mult-Adds and parameters of MobileNet-style networks, from the papers' tables.

Pipeline: spec (YAML) -> spec.parse/validate -> expand (alpha, resolution, profile) -> ir.Network
-> analysis.analyze (counting.COUNTERS) -> render.* -> cli.
"""

__version__ = "0.1.0"
