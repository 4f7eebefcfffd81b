"""The shipped default model (``default.joblib``) and its manifest; see README.md here."""
