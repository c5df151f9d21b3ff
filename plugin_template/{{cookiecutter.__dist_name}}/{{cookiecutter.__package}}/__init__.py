"""{{ cookiecutter.platform_name }} {{ cookiecutter.kind }} for Returnhub."""
__version__ = "0.1.0"
