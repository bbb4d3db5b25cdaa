"""The management API, ``/mgmt/v1``: JSON over the management use cases, for people (session cookie + CSRF
token) and automation (bearer API tokens). Errors are ``{"code", "message"}`` (and ``field`` when one field is
at fault): 401 not signed in, 403 role, 404 missing (or another tenant's), 409 state conflict, 422 invalid,
429 throttled."""
