"""Channel-neutral conversation engine: an inbound message in, replies and actions out (issue #5)."""
