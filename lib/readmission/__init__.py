"""readmission: the EU's Article 25a Visa Code assessment of cooperation on readmission, end to end."""

__version__ = "0.1.0"
