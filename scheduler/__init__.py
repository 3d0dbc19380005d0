"""The APScheduler process and its periodic passes (issue #6)."""
