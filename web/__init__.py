"""Customer-facing pages: the payment link page (and, later, the console)."""
