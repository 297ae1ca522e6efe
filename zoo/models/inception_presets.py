"""The registry entries of the Inception models (metadata only: importing this module imports no
backend)."""
