"""simnet: reputation spreading through professional networks."""
