"""Log-ins: how long a lockout has left, unlocking a colleague, and password-reset limits."""
