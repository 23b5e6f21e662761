"""Import and export of organizations, contacts and members as CSV or XLSX (JSDA admins)."""
