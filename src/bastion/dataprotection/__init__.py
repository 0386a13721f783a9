"""Data protection on the platform: PII scans and re-identification risk of registered
dataset versions, server-side anonymization into a new dataset version, and the data
minimization check of a model version — each result recorded as evidence."""
