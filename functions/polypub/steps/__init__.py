"""The pipeline's steps, one module per concern; pipeline.py puts them in sequence."""
