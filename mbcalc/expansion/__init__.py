"""Expansion (the build stage): a validated program at one (alpha, resolution, build profile) -> the layer IR."""
