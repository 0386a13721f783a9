"""Monitoring on the platform: monitors of model versions, the prediction and label log,
and the windows evaluated from them (drift, quality, anomalies, performance, fairness),
each recorded as ``monitoring.window`` evidence."""
