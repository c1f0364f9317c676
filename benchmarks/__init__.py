"""Speed and memory measurements of `readmission run` (entry point: benchmarks/run.py)."""
