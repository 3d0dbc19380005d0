"""Background jobs: bulk requests answered 202, then run by the worker process through the database."""
