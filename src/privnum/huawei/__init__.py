"""Huawei's wire protocol, pure: header signing and reading, field types, push bodies, Block answers.

Imports only the standard library, pydantic, ``privnum.domain`` and ``privnum.service``; never I/O.
Domain and service code never import this package.
"""
