"""PyQt6 user interface: a thin observer of the formcheck pipeline."""
