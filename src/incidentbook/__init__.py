"""incidentbook: a static research report generator for incident publications."""

__version__ = "0.1.0"
