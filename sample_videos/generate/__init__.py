"""Renders the sample clips and their ground truth (see README.md in this folder)."""
