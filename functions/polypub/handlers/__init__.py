"""Lambda entry points: decode the event, call the pipeline, report failures."""
