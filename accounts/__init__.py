"""Console users (argon2-hashed passwords, roles, biller scope) and the audit trail."""
