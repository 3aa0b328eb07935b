"""Local development: embedded AWS from template.yaml, queue pump, preview."""
