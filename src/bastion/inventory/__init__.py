"""The AI inventory: projects, AI systems, models and versions, datasets and versions,
deployments, lineage between them, and documents attached to any of them."""
