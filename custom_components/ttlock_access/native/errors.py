"""Errors of the native code generator."""


class CodegenError(ValueError):
    """Invalid input or an impossible request (e.g. more codes than the space allows)."""


class CodegenTypeError(CodegenError, TypeError):
    """An argument has the wrong type (also a ``ValueError``, like every codegen error)."""
