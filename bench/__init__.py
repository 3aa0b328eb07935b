"""The benchmark suite behind `make bench` (bench/run.py); see bench/README.md."""
