"""Measurement: the hairs table, miniaturization metrics, criteria, image analysis."""
