"""The JMA earthquake feed: seismic-intensity telegrams open and follow the incident.

telegram.py parses one telegram (safe XML, limits, namespaces), feed.py polls JMA's Atom
feeds, rules.py decides which rules a telegram meets, services.py acts (incident, alerts,
report requests, the seismic criterion), notify.py is the one place that sends alerts.
"""
