"""Refuse answers that would give a plugin the core cannot load."""
import re
import sys

SLUG = "{{ cookiecutter.slug }}"
CLASS = "{{ cookiecutter.__class_name }}"

if not re.fullmatch(r"[a-z][a-z0-9_]*", SLUG):
    sys.exit(f"slug {SLUG!r} must be lower case letters, digits and _, starting with a letter")
if not CLASS.isidentifier():
    sys.exit(f"the platform name gives the class name {CLASS!r}, which is not a Python identifier; "
             "use letters, digits and spaces")
