"""How BCP WEB is installed and run as a deployment: lock files, the local stack, configs."""
