"""Identity: who is calling, from a bearer token validated here and nowhere else.

`User` is all the rest of the app sees. The middleware (`app.auth.middleware`) turns the
`Authorization` header into a `User`, or `None` for an anonymous caller; routes pass that on to
retrievers and stores as a parameter. Only `User` is imported here, so modules that just need
the type (search, ingestion) do not load the web framework.
"""

from app.auth.user import User

__all__ = ["User"]
