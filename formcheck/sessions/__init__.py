"""Sessions: recording, local storage, prescriptions and routines, reports, export and import.

Everything here runs headless (no Qt); the review window and the PDF renderer live in ``ui/review*.py``.
Nothing is sent anywhere: all data stays in the user's data folder (see ``storage.data_dir``).
"""
