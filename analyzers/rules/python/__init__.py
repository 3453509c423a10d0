"""Rules for Python code."""
