"""The community asset directory: organisations, services, locations, schedules, taxonomy."""
