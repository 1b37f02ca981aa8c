"""Settings package: ``base`` holds everything, the others only switch environments.

Every knob is an environment variable (listed with its default in README.md).
"""
