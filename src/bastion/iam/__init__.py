"""Identity and access: principals and their credentials."""
