"""The biology: scalp regions, follicle kinetics, androgens, immune episodes."""
