"""Types of the compiled CSV scanner (_csvscan.c); see its scan() for what it returns."""

from _typeshed import ReadableBuffer

DONE: int
MORE: int
IRREGULAR: int
WIDTH: int
NOT_UTF8: int

def scan(
    data: ReadableBuffer,
    start: int,
    stop: int,
    is_final: bool,
    ncols: int,
    columns: tuple[int, ...],
    /,
) -> tuple[int, int, int, list[list[bytes]], list[tuple[int, ...]]]: ...
