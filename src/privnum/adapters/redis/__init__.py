"""Redis adapters for the scale-out configuration."""
