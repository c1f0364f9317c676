"""Foundations every layer may use: errors, atomic outputs, where things are, level names, codes."""
