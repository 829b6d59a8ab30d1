"""The command groups of the `annobridge` CLI, one module each, built only on the neutral API."""
