"""PostgreSQL: for deployments with a managed database and several instances."""
