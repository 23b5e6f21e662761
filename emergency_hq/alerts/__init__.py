"""The alert fan-out: outbox, workers, channels, acknowledgements and escalation."""
