"""The ``bastion`` command line: local server commands and remote commands over the SDK."""
