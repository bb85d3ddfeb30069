"""`python -m app.feedback`: answer feedback for whoever runs the service."""
