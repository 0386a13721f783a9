"""The HTTP interface: FastAPI app, shared dependencies, error mapping."""
