"""Incidents, HQ convening, activation criteria, decisions and the situation dashboard."""
