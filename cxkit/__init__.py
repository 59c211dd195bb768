"""cxkit: customer-experience analytics from the command line."""

__version__ = "0.1.0"
