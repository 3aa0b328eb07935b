"""Cloud and local implementations of the ports."""
