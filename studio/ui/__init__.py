"""Qt widgets. Thin: they build requests, hand them to the worker and show results."""
